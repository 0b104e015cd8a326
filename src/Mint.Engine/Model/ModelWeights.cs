using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>The weight called <paramref name="name"/>.</summary>
    public Tensor this[string name] => tensors[name];

    /// <summary>The weight called <paramref name="name"/>, or null when the model has none (e.g. an untied LM head).</summary>
    public Tensor? Find(string name) => tensors.GetValueOrDefault(name);

    /// <summary>Every parameter name a decoder of <paramref name="config"/> has, with its shape.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(ModelConfig config)
    {
        long hidden = config.HiddenSize, heads = config.NumAttentionHeads, kv = config.KeyValueHeads, dim = config.HeadDim;
        var expected = new List<(string, long[])> { ("model.embed_tokens.weight", [config.VocabSize, hidden]) };
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            var prefix = $"model.layers.{layer}.";
            expected.Add((prefix + "input_layernorm.weight", [hidden]));
            expected.Add((prefix + "self_attn.q_proj.weight", [heads * dim, hidden]));
            expected.Add((prefix + "self_attn.k_proj.weight", [kv * dim, hidden]));
            expected.Add((prefix + "self_attn.v_proj.weight", [kv * dim, hidden]));
            if (config.QkvBias)
            {
                expected.Add((prefix + "self_attn.q_proj.bias", [heads * dim]));
                expected.Add((prefix + "self_attn.k_proj.bias", [kv * dim]));
                expected.Add((prefix + "self_attn.v_proj.bias", [kv * dim]));
            }

            expected.Add((prefix + "self_attn.o_proj.weight", [hidden, heads * dim]));
            expected.Add((prefix + "post_attention_layernorm.weight", [hidden]));
            expected.Add((prefix + "mlp.gate_proj.weight", [config.IntermediateSize, hidden]));
            expected.Add((prefix + "mlp.up_proj.weight", [config.IntermediateSize, hidden]));
            expected.Add((prefix + "mlp.down_proj.weight", [hidden, config.IntermediateSize]));
        }

        expected.Add(("model.norm.weight", [hidden]));
        if (!config.TieWordEmbeddings)
        {
            expected.Add(("lm_head.weight", [config.VocabSize, hidden]));
        }

        return expected;
    }

    /// <summary>
    /// Checks <paramref name="loaded"/> against <paramref name="config"/> and keeps the expected
    /// tensors as frozen float32 on <paramref name="device"/>. Throws naming every missing or misshapen weight.
    /// </summary>
    public static ModelWeights From(ModelConfig config, IReadOnlyDictionary<string, Tensor> loaded, Device device, string source)
    {
        var problems = new List<string>();
        var kept = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in Expected(config))
        {
            if (!loaded.TryGetValue(name, out var tensor))
            {
                problems.Add($"missing {name} [{string.Join(", ", shape)}]");
            }
            else if (!tensor.shape.SequenceEqual(shape))
            {
                problems.Add($"{name} is [{string.Join(", ", tensor.shape)}] but the config implies [{string.Join(", ", shape)}]");
            }
            else
            {
                kept[name] = tensor.detach().to(ScalarType.Float32, device).requires_grad_(false);
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

    /// <summary>
    /// Seeded random weights: the small models tests and samples train. Matrices are normal with
    /// std 1/sqrt(fan-in) and embeddings unit normal, so even a narrow model's logits span a useful
    /// range (a fixed std such as 0.02 leaves a 32-wide model's frozen head nearly uniform); norms start at 1.
    /// </summary>
    public static ModelWeights Random(ModelConfig config, long seed, Device? device = null)
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

        return From(config, tensors, device ?? CPU, "random init");
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
