using System;
using System.Collections.Concurrent;
using Mint.Server.Security;

namespace Mint.Server.Http;

/// <summary>
/// The SDK's client sessions (<c>create_session</c>, <c>session_heartbeat</c>): a session groups the
/// models and sampling sessions of one client process. Mint.Server never expires them; models live
/// until unloaded, as gRPC sessions do.
/// </summary>
internal sealed class TinkerSessions
{
    private readonly ConcurrentDictionary<string, Caller> owners = new();

    public string Create(Caller owner)
    {
        var id = "session-" + Guid.NewGuid().ToString("N");
        owners[id] = owner;
        return id;
    }

    /// <summary>Whether <paramref name="caller"/> owns session <paramref name="sessionId"/>.</summary>
    public bool Owns(Caller caller, string sessionId) => owners.TryGetValue(sessionId, out var owner) && owner == caller;
}
