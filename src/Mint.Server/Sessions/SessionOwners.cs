using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Mint.Engine;
using Mint.Engine.Admission;
using Mint.Engine.Training;
using Mint.Server.Security;

namespace Mint.Server.Sessions;

/// <summary>
/// Which caller owns which session. A caller reaches only its own sessions: another caller's id
/// is answered exactly like an id that never existed (<see cref="SessionNotFoundException"/>), so
/// session ids leak nothing across callers.
/// </summary>
internal sealed class SessionOwners(MintEngine engine, int maxPerCaller)
{
    private readonly ConcurrentDictionary<string, (Caller Owner, long Order)> owners = new();
    private long created;

    /// <summary>Throws when <paramref name="caller"/> already holds as many sessions as it may.</summary>
    /// <exception cref="SessionLimitException">When it does.</exception>
    public void CheckRoom(Caller caller)
    {
        var held = owners.Count(entry => entry.Value.Owner == caller);
        if (held >= maxPerCaller)
        {
            throw new SessionLimitException($"This API key already holds {held} sessions, the limit max_sessions_per_key; close one first.");
        }
    }

    /// <summary>Records that <paramref name="owner"/> created <paramref name="sessionId"/>.</summary>
    public void Add(string sessionId, Caller owner) =>
        owners[sessionId] = (owner, Interlocked.Increment(ref created));

    /// <summary>The session <paramref name="sessionId"/> if <paramref name="caller"/> owns it.</summary>
    /// <exception cref="SessionNotFoundException">When it does not exist or belongs to someone else.</exception>
    public TrainingSession Get(Caller caller, string sessionId) =>
        owners.TryGetValue(sessionId, out var entry) && entry.Owner == caller
            ? engine.GetSession(sessionId)
            : throw new SessionNotFoundException(sessionId);

    /// <summary>Closes <paramref name="sessionId"/> if <paramref name="caller"/> owns it.</summary>
    /// <exception cref="SessionNotFoundException">When it does not exist or belongs to someone else.</exception>
    public void Close(Caller caller, string sessionId)
    {
        if (!owners.TryGetValue(sessionId, out var entry) || entry.Owner != caller || !owners.TryRemove(sessionId, out _))
        {
            throw new SessionNotFoundException(sessionId);
        }

        engine.CloseSession(sessionId);
    }

    /// <summary>The ids of <paramref name="caller"/>'s sessions, oldest first.</summary>
    public IReadOnlyList<string> Of(Caller caller) => owners
        .Where(entry => entry.Value.Owner == caller)
        .OrderBy(entry => entry.Value.Order)
        .Select(entry => entry.Key)
        .ToList();
}
