using Mint.Dsl;

namespace Mint.Engine.Training;

/// <summary>No session has the given id (never created, closed, or belonging to another server).</summary>
public sealed class SessionNotFoundException(string sessionId)
    : MintException($"No training session '{sessionId}' exists.")
{
    /// <summary>The id asked for.</summary>
    public string SessionId { get; } = sessionId;
}
