using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using Mint.Dsl;
using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>One session's LoRA adapters over a base model: the only trainable parameters.</summary>
public sealed class LoraAdapters : IDisposable
{
    private readonly SortedDictionary<string, LoraAdapter> adapters = new(StringComparer.Ordinal);

    /// <summary>Creates seeded adapters for every target projection of <paramref name="model"/>.</summary>
    public LoraAdapters(ModelConfig model, LoraConfig config, Device device)
    {
        config.Check();
        Config = config;
        var generator = new Generator((ulong)config.Seed);
        foreach (var (projection, shape) in Targets(model))
        {
            adapters[projection] = new LoraAdapter(projection, shape[1], shape[0], config.Rank, config.ResolvedAlpha, generator, device);
        }
    }

    /// <summary>Rank, alpha and seed.</summary>
    public LoraConfig Config { get; }

    /// <summary>The adapter of <paramref name="projection"/>, or null.</summary>
    public LoraAdapter? Find(string projection) => adapters.GetValueOrDefault(projection);

    /// <summary>Every trainable tensor by checkpoint name (<c>…q_proj.lora_A.weight</c>), in a stable order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        foreach (var adapter in adapters.Values)
        {
            yield return (adapter.Name + ".lora_A.weight", adapter.A);
            yield return (adapter.Name + ".lora_B.weight", adapter.B);
        }
    }

    /// <summary>
    /// The tensors adapters of <paramref name="rank"/> over <paramref name="model"/> consist of, by
    /// checkpoint name and shape, in the order of <see cref="Parameters"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(ModelConfig model, int rank) =>
        Targets(model)
            .OrderBy(target => target.Projection, StringComparer.Ordinal)
            .SelectMany(target => new (string, long[])[]
            {
                (target.Projection + ".lora_A.weight", [rank, target.Shape[1]]),
                (target.Projection + ".lora_B.weight", [target.Shape[0], rank]),
            })
            .ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var adapter in adapters.Values)
        {
            adapter.Dispose();
        }
    }

    /// <summary>Every projection of <paramref name="model"/> that gets an adapter, with its weight's shape <c>[out, in]</c>.</summary>
    private static IEnumerable<(string Projection, long[] Shape)> Targets(ModelConfig model) =>
        ModelWeights.Expected(model)
            .Where(entry => entry.Name.EndsWith(".weight", StringComparison.Ordinal))
            .Select(entry => (Projection: entry.Name[..^".weight".Length], entry.Shape))
            .Where(entry => LoraConfig.TargetModules.Any(target => entry.Projection.EndsWith(target, StringComparison.Ordinal)));
}
