using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using Mint.Dsl;
using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>
/// One session's LoRA adapters over a base model: the only trainable parameters. All of them are
/// views into one flat float32 buffer, and their gradients views into a second one, so the
/// optimizer updates every adapter with a handful of whole-buffer operations.
/// </summary>
public sealed class LoraAdapters : IDisposable
{
    private readonly SortedDictionary<string, LoraAdapter> adapters = new(StringComparer.Ordinal);
    private readonly List<(string Name, Parameter Parameter)> parameters = [];
    private readonly List<(string Name, long Offset, long[] Shape)> layout = [];

    /// <summary>Creates seeded adapters for every target projection of <paramref name="model"/> on <paramref name="device"/>.</summary>
    public LoraAdapters(ModelConfig model, LoraConfig config, Device device)
    {
        var problems = config.Check();
        if (problems.Count > 0)
        {
            throw new BatchValidationException(LoraConfig.Operation, problems);
        }

        Config = config;
        var generator = new Generator((ulong)config.Seed);
        var targets = Targets(model, config).ToList();

        // A is Kaiming-uniform, as PEFT does, drawn on the CPU in a fixed order so the seed gives the
        // same adapters on every device; B is zero.
        using (var scope = NewDisposeScope())
        {
            var initial = new List<Tensor>();
            foreach (var (_, shape) in targets)
            {
                var bound = 1.0 / Math.Sqrt(shape[1]);
                initial.Add((rand([config.Rank, shape[1]], generator: generator) * 2 - 1).mul_(bound).reshape(-1));
                initial.Add(zeros(shape[0] * config.Rank));
            }

            Values = cat(initial, 0).to(device).DetachFromDisposeScope();
            Gradients = zeros_like(Values).DetachFromDisposeScope();
        }

        long offset = 0;
        var scaling = config.ResolvedAlpha / config.Rank;
        foreach (var (projection, shape) in targets)
        {
            var a = View(projection + ".lora_A.weight", [config.Rank, shape[1]], ref offset);
            var b = View(projection + ".lora_B.weight", [shape[0], config.Rank], ref offset);
            adapters[projection] = new LoraAdapter(projection, a, b, scaling);
        }

        parameters.Sort((left, right) => StringComparer.Ordinal.Compare(left.Name, right.Name));
        layout.Sort((left, right) => StringComparer.Ordinal.Compare(left.Name, right.Name));
    }

    /// <summary>Rank, alpha, seed and targets.</summary>
    public LoraConfig Config { get; }

    /// <summary>The device the adapters live on.</summary>
    public Device Device => Values.device;

    /// <summary>Every adapter value, flat (float32); the parameters are views into it.</summary>
    internal Tensor Values { get; }

    /// <summary>Every adapter gradient, flat (float32); backward passes accumulate into it.</summary>
    internal Tensor Gradients { get; }

    /// <summary>Each parameter's name, offset into the flat buffers, and shape, in <see cref="Parameters"/> order.</summary>
    internal IReadOnlyList<(string Name, long Offset, long[] Shape)> Layout => layout;

    /// <summary>The adapter of <paramref name="projection"/>, or null.</summary>
    public LoraAdapter? Find(string projection) => adapters.GetValueOrDefault(projection);

    /// <summary>Every trainable tensor by checkpoint name (<c>…q_proj.lora_A.weight</c>), in a stable order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> Parameters() => parameters;

    /// <summary>Drops the accumulated gradients.</summary>
    internal void ZeroGradients() => Gradients.zero_();

    /// <summary>
    /// The tensors adapters configured by <paramref name="config"/> over <paramref name="model"/> consist
    /// of, by checkpoint name and shape, in the order of <see cref="Parameters"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(ModelConfig model, LoraConfig config) =>
        Targets(model, config)
            .OrderBy(target => target.Projection, StringComparer.Ordinal)
            .SelectMany(target => new (string, long[])[]
            {
                (target.Projection + ".lora_A.weight", [config.Rank, target.Shape[1]]),
                (target.Projection + ".lora_B.weight", [target.Shape[0], config.Rank]),
            })
            .ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, parameter) in parameters)
        {
            parameter.Dispose();
        }

        Values.Dispose();
        Gradients.Dispose();
    }

    private Parameter View(string name, long[] shape, ref long offset)
    {
        var count = shape[0] * shape[1];
        var parameter = new Parameter(Values.narrow(0, offset, count).view(shape).DetachFromDisposeScope(), requires_grad: true);
        // The gradient is a view too: autograd then accumulates into the flat buffer in place.
        parameter.grad = Gradients.narrow(0, offset, count).view(shape).DetachFromDisposeScope();
        parameter.DetachFromDisposeScope();
        layout.Add((name, offset, shape));
        offset += count;
        parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>
    /// Every module of <paramref name="model"/> that <paramref name="config"/> adapts, with its weight's
    /// shape <c>[out, in]</c>: the chosen layer projections in the weights' order, then the unembedding
    /// (<c>[vocab, hidden]</c>, also when it is tied to the embedding). The unembedding comes last so a
    /// seed draws the same layer adapters whether or not it is trained.
    /// </summary>
    internal static IEnumerable<(string Projection, long[] Shape)> Targets(ModelConfig model, LoraConfig config)
    {
        var layerModules = config.LayerModules();
        var layers = ModelWeights.Expected(model)
            .Where(entry => entry.Name.StartsWith("model.layers.", StringComparison.Ordinal) && entry.Name.EndsWith(".weight", StringComparison.Ordinal))
            .Select(entry => (Projection: entry.Name[..^".weight".Length], entry.Shape))
            .Where(entry => layerModules.Any(target => entry.Projection.EndsWith("." + target, StringComparison.Ordinal)));
        return config.TrainUnembed
            ? layers.Append((LoraConfig.UnembedModule, [model.VocabSize, model.HiddenSize]))
            : layers;
    }
}
