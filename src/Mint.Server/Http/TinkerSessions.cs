using System;
using System.Collections.Generic;
using Mint.Server.Security;

namespace Mint.Server.Http;

/// <summary>
/// The SDK's client sessions (<c>create_session</c>, <c>session_heartbeat</c>): a session groups the
/// models and sampling sessions of one client process. Mint.Server never expires them; models live
/// until unloaded, as gRPC sessions do. A session is a few bytes, but every <c>create_session</c> makes
/// one, so each caller keeps its newest <see cref="PerCaller"/>: making another forgets that caller's
/// oldest (a client process that started that many sessions ago is gone or restarted).
/// </summary>
internal sealed class TinkerSessions
{
    public const int PerCaller = 1024;

    private readonly Dictionary<string, Caller> owners = [];
    private readonly Dictionary<Caller, Queue<string>> byCaller = [];

    public string Create(Caller owner)
    {
        var id = "session-" + Guid.NewGuid().ToString("N");
        lock (owners)
        {
            owners[id] = owner;
            if (!byCaller.TryGetValue(owner, out var held))
            {
                byCaller[owner] = held = new Queue<string>();
            }

            held.Enqueue(id);
            while (held.Count > PerCaller)
            {
                owners.Remove(held.Dequeue());
            }
        }

        return id;
    }

    /// <summary>Whether <paramref name="caller"/> owns session <paramref name="sessionId"/>.</summary>
    public bool Owns(Caller caller, string sessionId)
    {
        lock (owners)
        {
            return owners.TryGetValue(sessionId, out var owner) && owner == caller;
        }
    }
}
