using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// A LoRA on the unembedding (<c>lm_head</c>): logits = <c>h·Wᵀ + (alpha/rank)·(h·Aᵀ)·Bᵀ</c>, against
/// <see cref="ReferenceDecoder"/>'s float64 head adapter, on every path that makes logits (full
/// forward, chunked target log-probs, KV-cached next-token logits), tied and untied; and the
/// adapter's gradients against float64 finite differences of the reference's loss.
/// </summary>
public sealed class UnembedLoraTests
{
    private const double Tolerance = 1e-5;

    private static readonly long[] Sequence = [3, 17, 5, 9, 41, 2, 30, 30, 11, 7];

    /// <summary>Every adapter trained-looking: B drawn non-zero, so the head's update is not zero.</summary>
    private static LoraAdapters Adapters(ModelConfig config, LoraConfig lora)
    {
        var adapters = new LoraAdapters(config, lora, CPU);
        var generator = new Generator(21);
        using (no_grad())
        {
            foreach (var (_, parameter) in adapters.Parameters().Where(entry => entry.Name.Contains("lora_B", StringComparison.Ordinal)))
            {
                parameter.copy_(0.3 * normal(0, 1, parameter.shape, generator: generator));
            }
        }

        return adapters;
    }

    private static double MaxDifference(IEnumerable<double> expected, IEnumerable<double> actual) =>
        expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Logits_and_logprobs_with_an_lm_head_lora_equal_the_float64_reference(bool tied)
    {
        var config = TinyModel.Config() with { TieWordEmbeddings = tied, RopeTheta = 500 };
        var tensors = DecoderReferenceTests.Weights(config, seed: 5);
        using var weights = ModelWeights.From(config, tensors, CPU, "test");
        using var adapters = Adapters(config, new LoraConfig(Rank: 3, Alpha: 5, Seed: 2) { TrainUnembed = true });
        var reference = new ReferenceDecoder(config, LoraMerge.Layers(tensors, adapters)) { HeadAdapter = LoraMerge.Head(adapters) };
        var withoutHead = new ReferenceDecoder(config, LoraMerge.Layers(tensors, adapters));
        // Chunks of 4 positions: the head adapter runs in several chunks.
        var model = new DecoderModel(weights, adapters, new EngineOptions { LogprobChunkTokens = 4 });
        var inputs = Sequence[..^1];
        var targets = Sequence[1..];

        var expectedLogits = reference.Logits(inputs);
        var expectedLogprobs = reference.TargetLogprobs(inputs, targets);
        using var noGrad = no_grad();
        var logits = model.Forward(tensor(inputs).unsqueeze(0)).squeeze(0).to(ScalarType.Float64);
        var logprobs = model.TargetLogprobs(tensor(inputs).unsqueeze(0), tensor(targets).unsqueeze(0)).squeeze(0).to(ScalarType.Float64).data<double>().ToArray();
        using var cache = new KvCache(config.NumHiddenLayers, config.MaxPositionEmbeddings);
        var cached = inputs.Select(token => model.NextTokenLogits(tensor(new[] { token }).unsqueeze(0), cache).squeeze(0).to(ScalarType.Float64).data<double>().ToArray()).ToArray();

        Assert.True(MaxDifference(expectedLogprobs, withoutHead.TargetLogprobs(inputs, targets)) > 0.05, "the head's adapter should change the log-probs");
        for (var t = 0; t < inputs.Length; t++)
        {
            var row = logits[t].data<double>().ToArray();
            Assert.True(MaxDifference(expectedLogits[t], row) <= 2 * Tolerance, $"position {t}: logits differ by {MaxDifference(expectedLogits[t], row)}");
            Assert.True(MaxDifference(expectedLogits[t], cached[t]) <= 2 * Tolerance, $"position {t}: cached logits differ by {MaxDifference(expectedLogits[t], cached[t])}");
        }

        Assert.True(MaxDifference(expectedLogprobs, logprobs) <= Tolerance, $"log-probs differ by {MaxDifference(expectedLogprobs, logprobs)}");
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    public void Lm_head_adapter_gradients_equal_float64_finite_differences(bool tied, bool activationCheckpointing, bool layersToo)
    {
        var config = TinyModel.Config() with { TieWordEmbeddings = tied, RopeTheta = 500 };
        var tensors = DecoderReferenceTests.Weights(config, seed: 8);
        var lora = new LoraConfig(Rank: 2, Alpha: 7, Seed: 4) { TrainUnembed = true, TrainAttention = layersToo, TrainMlp = layersToo };
        using var model = new PretrainedModel("reference", ModelWeights.From(config, tensors, CPU, "test"));
        using var session = new TrainingSession("fd", model, lora, new EngineOptions { LogprobChunkTokens = 3, ActivationCheckpointing = activationCheckpointing });
        using (var start = Adapters(config, lora))
        {
            session.StartFrom(new LoraWeights(lora, start.Parameters().ToDictionary(
                entry => entry.Name,
                entry => TensorData.FromSingles(entry.Parameter.detach().data<float>().ToArray(), entry.Parameter.shape))));
        }

        int[] sequence = [3, 17, 5, 9, 41, 2, 30, 11];
        float[] lossWeights = [1, 0.5f, 2, 1, 0, 1.5f, 1];
        session.ForwardBackward([Data.Sft(sequence, lossWeights)], LossFn.CrossEntropy);
        var gradients = session.AdapterGradients();

        // The reference's loss as a function of the head adapter alone: the trunk's hidden states do not depend on it.
        var weights = session.AdapterWeights();
        var merged = new Dictionary<string, double[]>();
        using (var current = new LoraAdapters(config, lora, CPU))
        {
            using (no_grad())
            {
                foreach (var (name, parameter) in current.Parameters())
                {
                    parameter.copy_(weights[name]);
                }
            }

            merged = LoraMerge.Layers(tensors, current);
        }

        var hidden = new ReferenceDecoder(config, merged).FinalHidden(sequence[..^1].Select(token => (long)token).ToArray());
        var a = weights["lm_head.lora_A.weight"].to(ScalarType.Float64).data<double>().ToArray();
        var b = weights["lm_head.lora_B.weight"].to(ScalarType.Float64).data<double>().ToArray();
        double Loss()
        {
            var head = new ReferenceDecoder(config, merged) { HeadAdapter = new ReferenceHeadAdapter(a, b, lora.Rank, lora.ResolvedAlpha / lora.Rank) };
            return -hidden.Select((h, t) => lossWeights[t] * ReferenceDecoder.LogSoftmax(head.HeadLogits(h))[sequence[t + 1]]).Sum();
        }

        foreach (var (name, values) in new[] { ("lm_head.lora_A.weight", a), ("lm_head.lora_B.weight", b) })
        {
            var engine = gradients[name].to(ScalarType.Float64).data<double>().ToArray();
            var numeric = new double[values.Length];
            for (var index = 0; index < values.Length; index++)
            {
                const double step = 1e-6;
                var saved = values[index];
                values[index] = saved + step;
                var up = Loss();
                values[index] = saved - step;
                var down = Loss();
                values[index] = saved;
                numeric[index] = (up - down) / (2 * step);
            }

            var scale = numeric.Max(Math.Abs);
            Assert.True(scale > 1e-2, $"{name}: gradient too small ({scale}) to check");
            Assert.True(MaxDifference(numeric, engine) <= 1e-4 * scale, $"{name}: engine gradient differs from finite differences by {MaxDifference(numeric, engine)} (scale {scale})");
        }
    }
}
