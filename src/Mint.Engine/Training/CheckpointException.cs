using Mint.Dsl;

namespace Mint.Engine.Training;

/// <summary>A checkpoint is missing, unreadable, or does not fit the session it is loaded into.</summary>
public sealed class CheckpointException(string message) : MintException(message);
