using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Engine.Compute;
using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>
/// The frozen base weights of a decoder, by Hugging Face parameter name
/// (<c>model.layers.0.self_attn.q_proj.weight</c>, …). Shared by every session on the model.
/// </summary>
public sealed class ModelWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    private ModelWeights(ModelConfig config, Dictionary<string, Tensor> tensors)
    {
        Config = config;
        this.tensors = tensors;
    }

    /// <summary>The shape the weights were checked against.</summary>
    public ModelConfig Config { get; }

    /// <summary>Parameter names, sorted.</summary>
    public IEnumerable<string> Names => tensors.Keys.Order(StringComparer.Ordinal);

    /// <summary>The device the weights live on.</summary>
    public Device Device => tensors.Values.First().device;

    /// <summary>The precision the weights are kept in.</summary>
    public ScalarType DType => tensors.Values.First().dtype;

    /// <summary>The weight called <paramref name="name"/>.</summary>
    public Tensor this[string name] => tensors[name];

    /// <summary>The weight called <paramref name="name"/>, or null when the model has none (e.g. an untied LM head).</summary>
    public Tensor? Find(string name) => tensors.GetValueOrDefault(name);

    /// <summary>Every parameter name a decoder of <paramref name="config"/> has, with its shape, in transformers' naming.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(ModelConfig config)
    {
        long hidden = config.HiddenSize, heads = config.NumAttentionHeads, kv = config.KeyValueHeads, dim = config.HeadDim, inner = config.IntermediateSize;
        var expected = new List<(string, long[])> { ("model.embed_tokens.weight", [config.VocabSize, hidden]) };
        void Linear(string name, long outputs, long inputs, bool bias)
        {
            expected.Add((name + ".weight", [outputs, inputs]));
            if (bias)
            {
                expected.Add((name + ".bias", [outputs]));
            }
        }

        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            var prefix = $"model.layers.{layer}.";
            expected.Add((prefix + "input_layernorm.weight", [hidden]));
            Linear(prefix + "self_attn.q_proj", heads * dim, hidden, config.QkvBias);
            Linear(prefix + "self_attn.k_proj", kv * dim, hidden, config.QkvBias);
            Linear(prefix + "self_attn.v_proj", kv * dim, hidden, config.QkvBias);
            if (config.Architecture.QueryKeyNorm)
            {
                expected.Add((prefix + "self_attn.q_norm.weight", [dim]));
                expected.Add((prefix + "self_attn.k_norm.weight", [dim]));
            }

            Linear(prefix + "self_attn.o_proj", hidden, heads * dim, config.OutputBias);
            expected.Add((prefix + "post_attention_layernorm.weight", [hidden]));
            Linear(prefix + "mlp.gate_proj", inner, hidden, config.MlpProjectionBias);
            Linear(prefix + "mlp.up_proj", inner, hidden, config.MlpProjectionBias);
            Linear(prefix + "mlp.down_proj", hidden, inner, config.MlpProjectionBias);
        }

        expected.Add(("model.norm.weight", [hidden]));
        if (!config.TieWordEmbeddings)
        {
            expected.Add(("lm_head.weight", [config.VocabSize, hidden]));
        }

        return expected;
    }

    /// <summary>
    /// Checks <paramref name="loaded"/> against <paramref name="config"/> both ways and keeps the expected
    /// tensors as frozen master copies on <paramref name="device"/>. Throws one <see cref="ModelLoadException"/>
    /// naming every missing tensor, every tensor of the wrong shape or storage type, and every tensor the
    /// decoder would not use (a silently dropped tensor means a different function from transformers').
    /// The kept tensors are in <paramref name="precision"/> (float32 by default).
    /// </summary>
    public static ModelWeights From(ModelConfig config, IReadOnlyDictionary<string, Tensor> loaded, Device device, string source, WeightPrecision precision = WeightPrecision.Float32)
    {
        var dtype = precision.ToScalarType();
        var problems = new List<string>();
        var kept = new Dictionary<string, Tensor>();
        var expected = Expected(config);
        foreach (var (name, shape) in expected)
        {
            if (!loaded.TryGetValue(name, out var tensor))
            {
                problems.Add($"missing {name} [{string.Join(", ", shape)}]");
            }
            else if (!tensor.shape.SequenceEqual(shape))
            {
                problems.Add($"{name} is [{string.Join(", ", tensor.shape)}] but the config implies [{string.Join(", ", shape)}]");
            }
            else if (!StoredTypes.Contains(tensor.dtype))
            {
                problems.Add($"{name} is stored as {tensor.dtype}, which the engine does not load (supported: Float32, BFloat16, Float16, Float64)");
            }
            else
            {
                kept[name] = Master(tensor, device, dtype);
            }
        }

        var names = expected.Select(entry => entry.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in loaded.Keys.Where(name => !names.Contains(name)).Order(StringComparer.Ordinal))
        {
            if (Unused(config, name, loaded) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (problems.Count > 0)
        {
            foreach (var tensor in kept.Values)
            {
                tensor.Dispose();
            }

            throw new ModelLoadException($"{source} does not match its config.json: {string.Join("; ", problems)}.");
        }

        return new ModelWeights(config, kept);
    }

    /// <summary>The storage types converted to the master copy (bf16/fp16 widen exactly; fp64 rounds as transformers' float32 load does).</summary>
    private static readonly ScalarType[] StoredTypes = [ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16, ScalarType.Float64];

    /// <summary>
    /// The frozen copy the decoder computes with: float32 on <paramref name="device"/>. The one place a
    /// base-weight precision option (bf16/fp16 master weights) plugs in.
    /// </summary>
    private static Tensor Master(Tensor stored, Device device, ScalarType dtype) => stored.detach().to(dtype, device).requires_grad_(false);

    /// <summary>Why a tensor the decoder has no place for is an error, or null for the two kinds transformers also drops knowingly.</summary>
    private static string? Unused(ModelConfig config, string name, IReadOnlyDictionary<string, Tensor> loaded)
    {
        // Older Llama checkpoints store the rotary buffer; it is recomputed from the config, as in transformers.
        if (name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal))
        {
            return null;
        }

        // A tied head saved anyway is harmless only when it is the embedding.
        if (name == "lm_head.weight" && config.TieWordEmbeddings && loaded.TryGetValue("model.embed_tokens.weight", out var embedding))
        {
            var head = loaded[name];
            return head.shape.SequenceEqual(embedding.shape) && allclose(head.to(ScalarType.Float32), embedding.to(ScalarType.Float32), 0, 0)
                ? null
                : "lm_head.weight differs from model.embed_tokens.weight but tie_word_embeddings is true, so it would be ignored (supported: tie_word_embeddings false, or no lm_head.weight)";
        }

        return $"{name} [{string.Join(", ", loaded[name].shape)}] is in the checkpoint but a {config.ModelType} decoder of this config does not use it";
    }

    /// <summary>
    /// Seeded random weights: the small models tests and samples train. Matrices are normal with
    /// std 1/sqrt(fan-in) and embeddings unit normal, so even a narrow model's logits span a useful
    /// range (a fixed std such as 0.02 leaves a 32-wide model's frozen head nearly uniform); norms start at 1.
    /// </summary>
    public static ModelWeights Random(ModelConfig config, long seed, Device? device = null, WeightPrecision precision = WeightPrecision.Float32)
    {
        config.Check();
        var generator = new Generator((ulong)seed);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in Expected(config))
        {
            tensors[name] = name.EndsWith("norm.weight", StringComparison.Ordinal) ? ones(shape)
                : name.EndsWith(".bias", StringComparison.Ordinal) ? zeros(shape)
                : name == "model.embed_tokens.weight" ? normal(0, 1, shape, generator: generator)
                : normal(0, 1 / Math.Sqrt(shape[1]), shape, generator: generator);
        }

        return From(config, tensors, device ?? CPU, "random init", precision);
    }

    /// <summary>The tensors by name (for saving).</summary>
    public Dictionary<string, Tensor> ToDictionary() => new(tensors);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
