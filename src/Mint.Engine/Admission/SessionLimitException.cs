using Mint.Dsl;

namespace Mint.Engine.Admission;

/// <summary>
/// No session was opened because a limit on open sessions is reached (the engine's
/// <see cref="EngineLimits.MaxSessions"/>, or a server's sessions per API key). Nothing was created;
/// close a session first. Sent as <c>RESOURCE_EXHAUSTED</c>.
/// </summary>
public sealed class SessionLimitException(string message) : MintException(message);
