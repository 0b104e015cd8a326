using System.Collections.Generic;
using System.IO;
using Mint.Dsl;
using Mint.Engine.Adapters;
using Mint.Engine.Training;
using Mint.Server.Security;

namespace Mint.Server.Sessions;

/// <summary>
/// Checkpoints on the server: every caller has its own folder under the checkpoint root, and names
/// resolve inside it through <see cref="CheckpointNames.Resolve"/>, so no name can reach another
/// caller's checkpoints or leave the root. Errors name the checkpoint, never the server's paths.
/// </summary>
internal sealed class CheckpointStore(string root)
{
    /// <summary>The checkpoint root (absolute).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Saves <paramref name="session"/> as <paramref name="caller"/>'s checkpoint <paramref name="name"/>.</summary>
    public void Save(Caller caller, TrainingSession session, string name)
    {
        var folder = Resolve(caller, name);
        Rethrow(folder, name, () => session.SaveState(folder));
    }

    /// <summary>
    /// Loads <paramref name="caller"/>'s checkpoint <paramref name="name"/> into <paramref name="session"/>:
    /// adapters, optimizer state and step, or with <paramref name="withOptimizer"/> false the adapters
    /// alone and a restarted optimizer.
    /// </summary>
    /// <exception cref="CheckpointNotFoundException">When the caller has no such checkpoint.</exception>
    public void Load(Caller caller, TrainingSession session, string name, bool withOptimizer = true)
    {
        var folder = Resolve(caller, name);
        if (!CheckpointFolder.Exists(folder))
        {
            throw new CheckpointNotFoundException(name);
        }

        Rethrow(folder, name, () =>
        {
            if (withOptimizer)
            {
                session.LoadState(folder);
            }
            else
            {
                session.LoadWeights(folder);
            }
        });
    }

    /// <summary>What <paramref name="caller"/>'s training checkpoint <paramref name="name"/> was trained as.</summary>
    /// <exception cref="CheckpointNotFoundException">When the caller has no training checkpoint of that name.</exception>
    public CheckpointWeightsInfo WeightsInfo(Caller caller, string name)
    {
        var folder = Resolve(caller, name);
        if (CheckpointCatalog.KindOf(Path.Combine(Root, caller.Id), name) != CheckpointKind.Training)
        {
            throw new CheckpointNotFoundException(name);
        }

        CheckpointWeightsInfo? info = null;
        Rethrow(folder, name, () => info = CheckpointOrigin.Read(folder).WeightsInfo);
        return info!;
    }

    /// <summary>Saves <paramref name="session"/>'s adapters alone as <paramref name="caller"/>'s sampler weights <paramref name="name"/>.</summary>
    public void SaveWeightsForSampler(Caller caller, TrainingSession session, string name)
    {
        var folder = Resolve(caller, name);
        Rethrow(folder, name, () => session.SaveWeightsForSampler(folder));
    }

    /// <summary>Reads <paramref name="caller"/>'s sampler weights <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointNotFoundException">When the caller has no such checkpoint.</exception>
    public LoraWeights ReadSamplerWeights(Caller caller, string name)
    {
        var folder = Resolve(caller, name);
        if (!CheckpointCatalog.Exists(Path.Combine(Root, caller.Id), name))
        {
            throw new CheckpointNotFoundException(name);
        }

        LoraWeights? weights = null;
        Rethrow(folder, name, () => weights = PeftAdapterFolder.Read(folder));
        return weights!;
    }

    /// <summary>What <paramref name="caller"/>'s checkpoint <paramref name="name"/> holds; null when there is none.</summary>
    public CheckpointKind? KindOf(Caller caller, string name) => CheckpointCatalog.KindOf(Path.Combine(Root, caller.Id), name);

    /// <summary><paramref name="caller"/>'s checkpoints by name.</summary>
    public IReadOnlyList<CheckpointInfo> List(Caller caller) => CheckpointCatalog.List(Path.Combine(Root, caller.Id));

    /// <summary>Deletes <paramref name="caller"/>'s checkpoint <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointNotFoundException">When the caller has no such checkpoint.</exception>
    public void Delete(Caller caller, string name)
    {
        var root = Path.Combine(Root, caller.Id);
        if (!CheckpointCatalog.Exists(root, name))
        {
            throw new CheckpointNotFoundException(name);
        }

        CheckpointCatalog.Delete(root, name);
    }

    private string Resolve(Caller caller, string name) => CheckpointNames.Resolve(Path.Combine(Root, caller.Id), name);

    private static void Rethrow(string folder, string name, System.Action action)
    {
        try
        {
            action();
        }
        catch (CheckpointException error)
        {
            throw new CheckpointException(error.Message.Replace(folder, $"'{name}'", System.StringComparison.Ordinal));
        }
    }
}
