using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// The decoder's logits against <see cref="ReferenceDecoder"/>, a float64 decoder written out by hand
/// in the test: rotary positions, grouped-query attention, RMSNorm with non-trivial weights, SwiGLU,
/// q/k/v biases, tied and untied heads, and LoRA updates merged into the weights.
/// </summary>
public sealed class DecoderReferenceTests
{
    // float32 logits of a few units after two layers carry ~1e-6 of rounding.
    private const double Tolerance = 2e-5;

    private static readonly long[] Sequence = [3, 17, 5, 9, 41, 2, 30, 30, 11];

    /// <summary>
    /// Seeded weights whose norms are not all ones and whose biases are not all zeros, so a norm weight
    /// or a bias the engine ignored would show.
    /// </summary>
    internal static Dictionary<string, Tensor> Weights(ModelConfig config, long seed)
    {
        using var random = ModelWeights.Random(config, seed);
        var generator = new Generator((ulong)seed + 1000);
        return random.ToDictionary().ToDictionary(
            entry => entry.Key,
            entry => entry.Key.EndsWith("norm.weight", StringComparison.Ordinal) ? 1 + (0.3 * normal(0, 1, entry.Value.shape, generator: generator))
                : entry.Key.EndsWith(".bias", StringComparison.Ordinal) ? 0.5 * normal(0, 1, entry.Value.shape, generator: generator)
                : entry.Value.clone());
    }

    private static double[][] EngineLogits(ModelWeights weights, LoraAdapters? adapters, long[] sequence)
    {
        using var noGrad = no_grad();
        var logits = new DecoderModel(weights, adapters).Forward(tensor(sequence).unsqueeze(0)).squeeze(0).to(ScalarType.Float64);
        return Enumerable.Range(0, sequence.Length).Select(t => logits[t].data<double>().ToArray()).ToArray();
    }

    private static void AssertClose(double[][] expected, double[][] actual)
    {
        var error = expected.Zip(actual, (e, a) => e.Zip(a, (x, y) => Math.Abs(x - y)).Max()).Max();
        var scale = expected.Max(row => row.Max(Math.Abs));
        Assert.True(scale > 0.5, $"the logits are too flat ({scale}) to tell models apart");
        Assert.True(error <= Tolerance, $"the engine's logits differ from the float64 reference by up to {error}");
    }

    [Theory]
    [InlineData("llama", false, 2)]
    [InlineData("llama", true, 4)]
    [InlineData("qwen2", true, 1)]
    [InlineData("qwen2", false, 2)]
    [InlineData("qwen3", false, 2)]
    public void Logits_equal_a_float64_reference_decoder(string modelType, bool tied, int keyValueHeads)
    {
        var config = TinyModel.Config() with { ModelType = modelType, TieWordEmbeddings = tied, NumKeyValueHeads = keyValueHeads, RopeTheta = 500 };
        AssertEngineMatchesReference(config);
    }

    [Fact]
    public void Llama_with_biases_everywhere_matches_the_reference() =>
        AssertEngineMatchesReference(TinyModel.Config() with { AttentionBias = true, MlpBias = true, RopeTheta = 500 });

    [Fact]
    public void Linear_rope_scaling_matches_the_reference() =>
        AssertEngineMatchesReference(TinyModel.Config() with { RopeTheta = 500, RopeScaling = new RopeScaling("linear", 3) });

    [Fact]
    public void Llama3_rope_scaling_matches_the_reference()
    {
        // head_dim 8 at theta 500: wavelengths 6.3, 30, 140 and 660 positions. With an original
        // context of 64 and factors 1 / 8, one pair is kept (< 8), one blended, two divided (> 64).
        var scaling = new RopeScaling("llama3", 4) { OriginalMaxPositionEmbeddings = 64, LowFreqFactor = 1, HighFreqFactor = 8 };
        AssertEngineMatchesReference(TinyModel.Config() with { ModelType = "llama", RopeTheta = 500, RopeScaling = scaling });
    }

    private static void AssertEngineMatchesReference(ModelConfig config)
    {
        var tensors = Weights(config, seed: 7);
        using var weights = ModelWeights.From(config, tensors, CPU, "test");

        var expected = new ReferenceDecoder(config, tensors).Logits(Sequence);

        AssertClose(expected, EngineLogits(weights, null, Sequence));
    }

    [Fact]
    public void Lora_adds_b_times_a_times_alpha_over_rank_to_each_projection()
    {
        var config = TinyModel.Config();
        var tensors = Weights(config, seed: 3);
        using var weights = ModelWeights.From(config, tensors, CPU, "test");
        using var adapters = new LoraAdapters(config, new LoraConfig(Rank: 2, Alpha: 6, Seed: 5), CPU);
        var generator = new Generator(9);
        using (no_grad())
        {
            // A trained adapter: B is no longer zero.
            foreach (var (name, parameter) in adapters.Parameters().Where(entry => entry.Name.Contains("lora_B", StringComparison.Ordinal)))
            {
                parameter.copy_(0.2 * normal(0, 1, parameter.shape, generator: generator));
            }
        }

        // W' = W + (alpha / rank)·B·A, multiplied out in float64 by hand.
        var merged = LoraMerge.Layers(tensors, adapters);
        Assert.Equal(3.0, adapters.Find("model.layers.0.self_attn.q_proj")!.Scaling);

        var expected = new ReferenceDecoder(config, merged).Logits(Sequence);

        AssertClose(expected, EngineLogits(weights, adapters, Sequence));
        var unadapted = new ReferenceDecoder(config, tensors).Logits(Sequence);
        Assert.True(unadapted.Zip(expected, (u, e) => u.Zip(e, (x, y) => Math.Abs(x - y)).Max()).Max() > 100 * Tolerance, "the adapters should change the logits");
    }

    [Fact]
    public void A_padded_mixed_length_batch_gives_each_datum_the_reference_logprobs()
    {
        var config = TinyModel.Config();
        var tensors = Weights(config, seed: 11);
        using var model = new PretrainedModel("reference", ModelWeights.From(config, tensors, CPU, "test"));
        using var session = new TrainingSession("reference", model, new LoraConfig(4));
        int[][] sequences = [[1, 5, 9, 13, 17, 21, 25], [2, 4, 6], [40, 3, 3, 8, 20]];
        var reference = new ReferenceDecoder(config, tensors);

        var forward = session.Forward(sequences.Select(sequence => Data.Sft(sequence)).ToList());

        for (var row = 0; row < sequences.Length; row++)
        {
            var tokens = sequences[row].Select(token => (long)token).ToArray();
            var expected = reference.TargetLogprobs(tokens[..^1], tokens[1..]);
            var actual = forward.Logprobs[row].ToDoubles();
            Assert.Equal(expected.Length, actual.Length);
            Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= Tolerance, $"datum {row}: {pair.Second} vs reference {pair.First}"));
        }
    }
}
