using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Engine.Model;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// A Llama/Qwen decoder written out as plain float64 loops, one token and one head at a time, from
/// the formulas of the transformers modelling code: RMSNorm, rotary embeddings on the two halves of
/// each head (default, <c>linear</c> or <c>llama3</c> frequencies), Qwen3's per-head q/k RMSNorm,
/// grouped-query attention with a causal softmax, SwiGLU, biases where the weights have them, tied or
/// untied head, and an optional LoRA on the head (<see cref="HeadAdapter"/>). It shares
/// no code with the engine (no TorchSharp op touches the numbers), so an engine test that agrees
/// with it checks the engine's math, not the engine against itself. Slow by design; tiny models only.
/// </summary>
internal sealed class ReferenceDecoder
{
    private readonly ModelConfig config;
    private readonly Dictionary<string, double[]> weights;

    /// <summary>A decoder of <paramref name="config"/> over <paramref name="tensors"/> (Hugging Face names), copied to float64.</summary>
    public ReferenceDecoder(ModelConfig config, IReadOnlyDictionary<string, Tensor> tensors)
    {
        this.config = config;
        weights = tensors.ToDictionary(entry => entry.Key, entry => entry.Value.detach().cpu().to(ScalarType.Float64).data<double>().ToArray());
    }

    /// <summary>A decoder over weights already in float64 (flattened row-major, e.g. with merged LoRA updates).</summary>
    public ReferenceDecoder(ModelConfig config, Dictionary<string, double[]> weights)
    {
        this.config = config;
        this.weights = weights;
    }

    /// <summary>
    /// A LoRA on the output head: logits gain <c>Scaling·B·(A·h)</c>, computed in that factored order
    /// (not merged into the head), on the output side only, also when the head is tied.
    /// </summary>
    public ReferenceHeadAdapter? HeadAdapter { get; init; }

    /// <summary>Next-token logits <c>[tokens][vocab]</c> for one sequence.</summary>
    public double[][] Logits(IReadOnlyList<long> tokens) => FinalHidden(tokens).Select(HeadLogits).ToArray();

    /// <summary>The final-normed hidden state of every position <c>[tokens][hidden]</c>: what the head reads.</summary>
    public double[][] FinalHidden(IReadOnlyList<long> tokens)
    {
        var hidden = config.HiddenSize;
        var embedding = weights["model.embed_tokens.weight"];
        var stream = tokens.Select(token => embedding.AsSpan((int)token * hidden, hidden).ToArray()).ToArray();
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            stream = Layer(layer, stream);
        }

        return stream.Select(h => RmsNorm(h, weights["model.norm.weight"])).ToArray();
    }

    /// <summary>The logits of one final-normed hidden state: the head, plus <see cref="HeadAdapter"/>'s update.</summary>
    public double[] HeadLogits(double[] normed)
    {
        int hidden = config.HiddenSize, vocab = config.VocabSize;
        var head = weights.GetValueOrDefault("lm_head.weight") ?? weights["model.embed_tokens.weight"];
        var logits = MatVec(head, vocab, hidden, normed);
        if (HeadAdapter is { } adapter)
        {
            var down = MatVec(adapter.A, adapter.Rank, hidden, normed);
            var up = MatVec(adapter.B, vocab, adapter.Rank, down);
            for (var token = 0; token < vocab; token++)
            {
                logits[token] += adapter.Scaling * up[token];
            }
        }

        return logits;
    }

    /// <summary>log p(targets[t] | tokens[..t]) for every position, by a float64 log-softmax.</summary>
    public double[] TargetLogprobs(IReadOnlyList<long> tokens, IReadOnlyList<long> targets) =>
        Logits(tokens).Select((row, position) => LogSoftmax(row)[targets[position]]).ToArray();

    /// <summary><c>log(softmax(row))</c>, shifted by the maximum for stability.</summary>
    public static double[] LogSoftmax(double[] row)
    {
        var max = row.Max();
        var logSum = Math.Log(row.Sum(value => Math.Exp(value - max))) + max;
        return row.Select(value => value - logSum).ToArray();
    }

    private double[][] Layer(int layer, double[][] stream)
    {
        var prefix = $"model.layers.{layer}.";
        int hidden = config.HiddenSize, heads = config.NumAttentionHeads, kvHeads = config.KeyValueHeads, dim = config.HeadDim;
        var length = stream.Length;

        // Attention: project every position, rotate q and k by their position, attend causally.
        var queries = new double[length][];
        var keys = new double[length][];
        var values = new double[length][];
        for (var t = 0; t < length; t++)
        {
            var x = RmsNorm(stream[t], weights[prefix + "input_layernorm.weight"]);
            var q = HeadNorm(prefix + "self_attn.q_norm.weight", Linear(prefix + "self_attn.q_proj", heads * dim, hidden, x), dim);
            var k = HeadNorm(prefix + "self_attn.k_norm.weight", Linear(prefix + "self_attn.k_proj", kvHeads * dim, hidden, x), dim);
            queries[t] = Rotate(q, heads, dim, t);
            keys[t] = Rotate(k, kvHeads, dim, t);
            values[t] = Linear(prefix + "self_attn.v_proj", kvHeads * dim, hidden, x);
        }

        var next = new double[length][];
        for (var t = 0; t < length; t++)
        {
            var attended = new double[heads * dim];
            for (var head = 0; head < heads; head++)
            {
                // Grouped-query attention: consecutive query heads share one key/value head.
                var kvHead = head / (heads / kvHeads);
                var scores = new double[t + 1];
                for (var s = 0; s <= t; s++)
                {
                    var dot = 0.0;
                    for (var d = 0; d < dim; d++)
                    {
                        dot += queries[t][(head * dim) + d] * keys[s][(kvHead * dim) + d];
                    }

                    scores[s] = dot / Math.Sqrt(dim);
                }

                var weightsOfPositions = LogSoftmax(scores).Select(Math.Exp).ToArray();
                for (var s = 0; s <= t; s++)
                {
                    for (var d = 0; d < dim; d++)
                    {
                        attended[(head * dim) + d] += weightsOfPositions[s] * values[s][(kvHead * dim) + d];
                    }
                }
            }

            var afterAttention = Add(stream[t], Linear(prefix + "self_attn.o_proj", hidden, heads * dim, attended));

            // SwiGLU: down(silu(gate(x)) * up(x)).
            var y = RmsNorm(afterAttention, weights[prefix + "post_attention_layernorm.weight"]);
            var gate = Linear(prefix + "mlp.gate_proj", config.IntermediateSize, hidden, y);
            var up = Linear(prefix + "mlp.up_proj", config.IntermediateSize, hidden, y);
            var product = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
            next[t] = Add(afterAttention, Linear(prefix + "mlp.down_proj", hidden, config.IntermediateSize, product));
        }

        return next;
    }

    /// <summary>
    /// Rotary embedding at <paramref name="position"/>: within each head, element <c>i</c> of the first
    /// half and element <c>i</c> of the second half turn together by <c>position · frequency(i)</c>.
    /// </summary>
    private double[] Rotate(double[] x, int heads, int dim, int position)
    {
        var rotated = new double[x.Length];
        var half = dim / 2;
        for (var head = 0; head < heads; head++)
        {
            for (var i = 0; i < half; i++)
            {
                var angle = position * Frequency(i, dim);
                double first = x[(head * dim) + i], second = x[(head * dim) + half + i];
                rotated[(head * dim) + i] = (first * Math.Cos(angle)) - (second * Math.Sin(angle));
                rotated[(head * dim) + half + i] = (second * Math.Cos(angle)) + (first * Math.Sin(angle));
            }
        }

        return rotated;
    }

    /// <summary>
    /// The rotary frequency of pair <paramref name="i"/>: <c>theta^(-2i/dim)</c>; <c>linear</c> divides it
    /// by the factor; <c>llama3</c> divides long wavelengths (above <c>original / low_freq_factor</c>),
    /// keeps short ones (below <c>original / high_freq_factor</c>) and blends linearly in between.
    /// </summary>
    private double Frequency(int i, int dim)
    {
        var frequency = 1 / Math.Pow(config.RopeTheta, 2.0 * i / dim);
        var scaling = config.RopeScaling;
        switch (scaling?.Type)
        {
            case null:
                return frequency;
            case "linear":
                return frequency / scaling.Factor;
            case "llama3":
                var original = (double)scaling.OriginalMaxPositionEmbeddings!.Value;
                double low = scaling.LowFreqFactor!.Value, high = scaling.HighFreqFactor!.Value;
                var wavelength = 2 * Math.PI / frequency;
                if (wavelength < original / high)
                {
                    return frequency;
                }

                if (wavelength > original / low)
                {
                    return frequency / scaling.Factor;
                }

                var smooth = ((original / wavelength) - low) / (high - low);
                return ((1 - smooth) * frequency / scaling.Factor) + (smooth * frequency);
            default:
                throw new NotSupportedException($"The reference decoder has no rope_type {scaling.Type}.");
        }
    }

    /// <summary>Qwen3: RMSNorm over each head of <paramref name="x"/> when the layer has <paramref name="weightName"/>; otherwise <paramref name="x"/>.</summary>
    private double[] HeadNorm(string weightName, double[] x, int dim)
    {
        if (!weights.TryGetValue(weightName, out var weight))
        {
            return x;
        }

        return Enumerable.Range(0, x.Length / dim).SelectMany(head => RmsNorm(x.AsSpan(head * dim, dim).ToArray(), weight)).ToArray();
    }

    /// <summary><c>x / sqrt(mean(x²) + eps) * weight</c>.</summary>
    private double[] RmsNorm(double[] x, double[] weight)
    {
        var scale = 1 / Math.Sqrt((x.Sum(value => value * value) / x.Length) + config.RmsNormEps);
        return x.Select((value, i) => value * scale * weight[i]).ToArray();
    }

    /// <summary><c>W·x + b</c> for projection <paramref name="name"/> (<c>W</c> is <c>[rows, columns]</c>; the bias only where the weights have one).</summary>
    private double[] Linear(string name, int rows, int columns, double[] x)
    {
        var y = MatVec(weights[name + ".weight"], rows, columns, x);
        return weights.TryGetValue(name + ".bias", out var bias) ? Add(y, bias) : y;
    }

    private static double[] MatVec(double[] matrix, int rows, int columns, double[] x)
    {
        var y = new double[rows];
        for (var row = 0; row < rows; row++)
        {
            var sum = 0.0;
            for (var column = 0; column < columns; column++)
            {
                sum += matrix[(row * columns) + column] * x[column];
            }

            y[row] = sum;
        }

        return y;
    }

    private static double[] Add(double[] left, double[] right) => left.Select((value, i) => value + right[i]).ToArray();
}
