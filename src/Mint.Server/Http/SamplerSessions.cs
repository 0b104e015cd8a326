using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Training;
using Mint.Server.Security;

namespace Mint.Server.Http;

/// <summary>
/// Sampling sessions: each is its own engine session holding a copy of the weights it was made
/// from (a training model's weights at that moment, saved sampler weights, or the bare base model),
/// so training the model further never changes what an existing sampler samples. Each caller keeps
/// at most <see cref="PerCaller"/>; making another closes that caller's oldest.
/// Every method but <see cref="ModelPath"/> touches the engine: call them from inside the engine queue.
/// </summary>
internal sealed class SamplerSessions(MintEngine engine)
{
    public const int PerCaller = 16;

    private readonly Dictionary<string, (Caller Owner, string EngineSession, string? ModelPath)> samplers = [];
    private readonly List<string> order = [];

    /// <summary>A sampler over <paramref name="source"/>'s weights as they are now.</summary>
    public string Snapshot(Caller owner, TrainingSession source)
    {
        var folder = Directory.CreateTempSubdirectory("mint-sampler-").FullName;
        try
        {
            source.SaveState(folder);
            return FromCheckpoint(owner, folder, source.Info.Lora);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A sampler over the weights saved in <paramref name="folder"/>, which the client named <paramref name="modelPath"/>.</summary>
    public string FromCheckpoint(Caller owner, string folder, LoraConfig? lora = null, string? modelPath = null)
    {
        var session = engine.CreateSession(lora ?? CheckpointOrigin.Read(folder).Lora);
        try
        {
            session.LoadState(folder);
        }
        catch
        {
            engine.CloseSession(session.Id);
            throw;
        }

        return Register(owner, session.Id, modelPath);
    }

    /// <summary>A sampler over adapter <paramref name="weights"/> (saved sampler weights the client named <paramref name="modelPath"/>).</summary>
    public string FromWeights(Caller owner, LoraWeights weights, string modelPath) => Register(owner, engine.CreateSession(weights).Id, modelPath);

    /// <summary>A sampler over the base model alone (a fresh adapter is zero, so it changes nothing).</summary>
    public string BaseModel(Caller owner) => Register(owner, engine.CreateSession(new LoraConfig(Rank: 1)).Id, modelPath: null);

    /// <summary>The engine session behind sampler <paramref name="id"/>, if <paramref name="caller"/> owns it.</summary>
    public TrainingSession Get(Caller caller, string id)
    {
        lock (samplers)
        {
            return samplers.TryGetValue(id, out var entry) && entry.Owner == caller
                ? engine.GetSession(entry.EngineSession)
                : throw new SessionNotFoundException(id);
        }
    }

    /// <summary>The path sampler <paramref name="id"/> was made from (null for a snapshot or the base model), if <paramref name="caller"/> owns it.</summary>
    public string? ModelPath(Caller caller, string id)
    {
        lock (samplers)
        {
            return samplers.TryGetValue(id, out var entry) && entry.Owner == caller
                ? entry.ModelPath
                : throw new SessionNotFoundException(id);
        }
    }

    private string Register(Caller owner, string engineSession, string? modelPath)
    {
        var id = "sampler-" + engineSession;
        lock (samplers)
        {
            samplers[id] = (owner, engineSession, modelPath);
            order.Add(id);
            var owned = order.Where(other => samplers[other].Owner == owner).ToList();
            foreach (var oldest in owned.Take(Math.Max(0, owned.Count - PerCaller)))
            {
                engine.CloseSession(samplers[oldest].EngineSession);
                samplers.Remove(oldest);
                order.Remove(oldest);
            }
        }

        return id;
    }
}
