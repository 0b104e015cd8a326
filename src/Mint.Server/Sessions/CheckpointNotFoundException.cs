using Mint.Dsl;

namespace Mint.Server.Sessions;

/// <summary>No checkpoint of that name exists in the caller's namespace. Sent as <c>NOT_FOUND</c>.</summary>
internal sealed class CheckpointNotFoundException(string name)
    : MintException($"No checkpoint '{name}' exists.");
