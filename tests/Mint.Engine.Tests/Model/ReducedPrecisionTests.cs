using System;
using System.Linq;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// Base weights in bfloat16 or float16 against transformers' float64 log-probs on the model fixtures.
/// The stated tolerance (README, docs/performance.md), in nats per token against transformers' float64:
/// bfloat16 at most 0.01 for any token and 0.002 on average; float16 at most 0.002 and 0.0003 on average
/// (measured: bfloat16 ≤ 4.3e-3 / 9.7e-4, float16 ≤ 6.1e-4 / 1.2e-4 across the six fixtures).
/// </summary>
public sealed class ReducedPrecisionTests(ITestOutputHelper output)
{
    /// <summary>Largest error of any token's log-prob, and largest mean error over a fixture, in nats.</summary>
    public static (double Max, double Mean) Tolerance(WeightPrecision precision) =>
        precision == WeightPrecision.BFloat16 ? (0.01, 0.002) : (0.002, 0.0003);

    public static TheoryData<string, WeightPrecision> Cases()
    {
        var cases = new TheoryData<string, WeightPrecision>();
        foreach (var name in TransformersFixture.Names)
        {
            cases.Add(name, WeightPrecision.BFloat16);
            cases.Add(name, WeightPrecision.Float16);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reduced_precision_log_probs_stay_within_the_stated_tolerance_of_transformers(string name, WeightPrecision precision)
    {
        var fixture = TransformersFixture.Open(name);
        using var model = PretrainedModel.Load(fixture.Folder, precision: precision);
        Assert.Equal(precision.ToScalarType(), model.Weights.DType);
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();
        var errors = fixture.Sequences.SelectMany((sequence, index) =>
        {
            var tokens = sequence.Select(token => (long)token).ToArray();
            var logprobs = decoder.TargetLogprobs(tensor(tokens[..^1]).unsqueeze(0), tensor(tokens[1..]).unsqueeze(0));
            return logprobs[0].to(ScalarType.Float64).data<double>().ToArray().Zip(fixture.Logprobs[index], (actual, expected) => Math.Abs(actual - expected));
        }).ToList();

        output.WriteLine($"{name} {precision}: max {errors.Max():E2}, mean {errors.Average():E2} nats over {errors.Count} tokens");
        var (max, mean) = Tolerance(precision);
        Assert.True(errors.Max() <= max, $"max error {errors.Max()}");
        Assert.True(errors.Average() <= mean, $"mean error {errors.Average()}");
        // The weights really were rounded (a float32 path would be within 1e-5).
        Assert.True(errors.Max() > 1e-4, $"max error {errors.Max()}: no rounding happened");
    }
}
