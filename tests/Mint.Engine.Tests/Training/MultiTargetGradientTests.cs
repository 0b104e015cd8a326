using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Compute;
using Mint.Engine.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Training;

/// <summary>
/// The engine's multi-target pass (gather over K candidates in chunks, the LM head's chunked backward)
/// gives the adapter gradients of plain autograd through the full logits' log-softmax, computed here.
/// </summary>
public sealed class MultiTargetGradientTests
{
    private const int Candidates = 3;

    private static List<Datum> Batch(int seed)
    {
        var random = new Random(seed);
        return new[] { 5, 3, 7 }.Select(length => new Datum(
            ModelInput.FromInts(Enumerable.Range(0, length).Select(_ => 1 + random.Next(47)).ToArray()),
            new Dictionary<string, TensorData>
            {
                ["target_tokens"] = TensorData.FromInt64s(Enumerable.Range(0, length * Candidates).Select(_ => (long)random.Next(48)), [length, Candidates]),
                ["weights"] = TensorData.FromSingles(Enumerable.Range(0, length * Candidates).Select(_ => (float)((2 * random.NextDouble()) - 1)), [length, Candidates]),
            })).ToList();
    }

    [Theory]
    [InlineData(null)]
    [InlineData(4)]
    public void Candidate_log_prob_gradients_equal_autograd_through_the_full_logits(int? chunkTokens)
    {
        // Chunks of 4 positions split every datum's K candidates across chunk boundaries.
        using var engine = new MintEngine(TinyModel.Load(seed: 3), new EngineOptions { LogprobChunkTokens = chunkTokens });
        using var session = engine.CreateSession(new LoraConfig(4, Seed: 2));
        using var reference = engine.CreateSession(new LoraConfig(4, Seed: 2));
        var batch = Batch(seed: 11);

        var result = session.ForwardBackward(batch, GradientPassLosses.CandidateGradientLoss);

        var expectedLoss = 0.0;
        foreach (var datum in batch)
        {
            using var scope = NewDisposeScope();
            var length = datum.ModelInput.Length;
            var tokens = tensor(datum.ModelInput.ToInts().Select(token => (long)token).ToArray(), [1, length]);
            var targets = tensor(datum.LossFnInputs["target_tokens"].ToInt64s(), [length, Candidates]);
            var weights = tensor(datum.LossFnInputs["weights"].ToSingles(), [length, Candidates]);
            var logprobs = reference.Model.Forward(tokens)[0].to(ScalarType.Float32).log_softmax(-1).gather(-1, targets);
            var loss = -(logprobs * weights).sum();
            loss.backward();
            expectedLoss += loss.item<float>();
        }

        Assert.Equal(expectedLoss, result.Metrics[ForwardBackwardResult.LossMetric], 4);
        Assert.Equal([5L, Candidates], result.LossFnOutputs[0]["logprobs"].Shape);
        var expected = reference.AdapterGradients();
        var actual = session.AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-4);
        Assert.All(expected, entry => Assert.True(
            allclose(entry.Value, actual[entry.Key], rtol: 1e-4, atol: 1e-6),
            $"{entry.Key}: max difference {(entry.Value - actual[entry.Key]).abs().max().item<float>()}"));
    }
}
