using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Training;

namespace Mint.Engine;

/// <summary>
/// The training engine for one base model: it owns the model's frozen weights and the training
/// sessions that adapt it. Used in-process by the embedded transport and by <c>Mint.Server</c>.
/// </summary>
public sealed class MintEngine : IDisposable
{
    private readonly ConcurrentDictionary<string, TrainingSession> sessions = new();
    private int created;

    /// <summary>Hosts <paramref name="model"/>; the engine disposes it.</summary>
    public MintEngine(PretrainedModel model)
    {
        Model = model;
    }

    /// <summary>The base model.</summary>
    public PretrainedModel Model { get; }

    /// <summary>The ids of the open sessions.</summary>
    public IReadOnlyList<string> SessionIds => sessions.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Opens a session with fresh LoRA adapters.</summary>
    public TrainingSession CreateSession(LoraConfig lora)
    {
        lora.Check();
        var id = $"session-{Interlocked.Increment(ref created)}-{Guid.NewGuid():N}";
        var session = new TrainingSession(id, Model, lora);
        sessions[id] = session;
        return session;
    }

    /// <summary>
    /// Opens a session whose adapters start from <paramref name="weights"/> (e.g. a peft adapter
    /// trained elsewhere, see <see cref="Adapters.PeftAdapterFolder"/>), with fresh optimizer state.
    /// </summary>
    /// <exception cref="BatchValidationException">The weights do not fit this model: every missing, misshapen, unknown or non-finite tensor is named.</exception>
    public TrainingSession CreateSession(LoraWeights weights)
    {
        var violations = Adapters.AdapterImport.Check(weights, Model.Config);
        if (violations.Count > 0)
        {
            throw new BatchValidationException(Adapters.AdapterImport.Operation, violations);
        }

        var session = CreateSession(weights.Lora);
        session.StartFrom(weights);
        return session;
    }

    /// <summary>The session called <paramref name="id"/>.</summary>
    public TrainingSession GetSession(string id) =>
        sessions.TryGetValue(id, out var session) ? session : throw new SessionNotFoundException(id);

    /// <summary>Closes the session called <paramref name="id"/>, freeing its adapters and optimizer state.</summary>
    /// <exception cref="SessionNotFoundException">No open session has that id.</exception>
    public void CloseSession(string id)
    {
        if (!sessions.TryRemove(id, out var session))
        {
            throw new SessionNotFoundException(id);
        }

        session.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        sessions.Clear();
        Model.Dispose();
    }
}
