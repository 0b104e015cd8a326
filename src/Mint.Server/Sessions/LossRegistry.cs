using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Mint.Dsl;
using Mint.Dsl.Graphs;

namespace Mint.Server.Sessions;

/// <summary>
/// The custom loss graphs each session registered, rebuilt from this server's op table after the
/// checker passed them. An id is derived from the graph's text, so registering the same graph again
/// returns the same id and stores nothing new. Callers reach a session's losses only through a
/// session they own (see <see cref="SessionOwners"/>).
/// </summary>
internal sealed class LossRegistry
{
    /// <summary>The most graphs one session may hold.</summary>
    public const int MaxLossesPerSession = 64;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, GraphLossDefinition>> sessions = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks and registers <paramref name="graph"/> for <paramref name="sessionId"/>; returns its id.
    /// A bad graph throws <see cref="BatchValidationException"/> naming each node and rule.
    /// </summary>
    public string Register(string sessionId, LossGraph graph)
    {
        var id = IdOf(graph);
        var losses = sessions.GetOrAdd(sessionId, _ => new(StringComparer.Ordinal));
        if (losses.ContainsKey(id))
        {
            return id;
        }

        var loss = GraphLossDefinition.Load(graph);
        if (losses.Count >= MaxLossesPerSession)
        {
            throw new BatchValidationException(GraphChecker.OperationFor(graph), [new(null, "session", $"session {sessionId} already holds {MaxLossesPerSession} registered losses; open another session for more.")]);
        }

        losses.TryAdd(id, loss);
        return id;
    }

    /// <summary>Registered loss <paramref name="lossId"/> of <paramref name="sessionId"/> with <paramref name="config"/> bound.</summary>
    public LossDefinition Get(string sessionId, string lossId, System.Collections.Generic.IReadOnlyDictionary<string, double> config) =>
        sessions.TryGetValue(sessionId, out var losses) && losses.TryGetValue(lossId, out var loss)
            ? loss.WithConfig(config)
            : throw new BatchValidationException("forward_backward", [new(null, "loss_id", $"no loss '{lossId}' is registered in this session; register its graph first.")]);

    /// <summary>Drops a closed session's losses.</summary>
    public void Forget(string sessionId) => sessions.TryRemove(sessionId, out _);

    private static string IdOf(LossGraph graph) =>
        "loss-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(graph.ToString())), 0, 12);
}
