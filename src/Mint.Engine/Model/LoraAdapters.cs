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
        foreach (var (name, shape) in ModelWeights.Expected(model))
        {
            var projection = name[..^".weight".Length];
            if (LoraConfig.TargetModules.Any(target => projection.EndsWith(target, StringComparison.Ordinal)))
            {
                adapters[projection] = new LoraAdapter(projection, shape[1], shape[0], config.Rank, config.ResolvedAlpha, generator, device);
            }
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

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var adapter in adapters.Values)
        {
            adapter.Dispose();
        }
    }
}
