using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Losses;

/// <summary>
/// Each built-in against an independent reference written here with plain loops over doubles,
/// and its gradient against central finite differences in float64.
/// </summary>
public sealed class BuiltinLossesTests
{
    // Two datums of different lengths, so padding is exercised. Ratios exp(t - s) land below 0.8,
    // inside [0.8, 1.2] and above 1.2 (and above 4 for cispo), with advantages of both signs.
    private static readonly double[][] Target = [[-0.5, -1.2, -2.0, -0.1], [-0.3, -2.5, -0.9]];
    private static readonly double[][] Sampling = [[-0.9, -1.0, -0.4, -0.15], [-2.0, -2.2, -1.0]];
    private static readonly double[][] Advantages = [[1.5, -0.7, 0.4, 2.0], [-1.1, 0.8, 0.3]];
    private static readonly double[][] Weights = [[0.0, 1.0, 0.5, 1.0], [1.0, 0.25, 0.0]];

    private static List<Datum> RlBatch() =>
        Target.Select((row, index) => Batches.Datum(row.Length, ("logprobs", Sampling[index]), ("advantages", Advantages[index]))).ToList();

    private static List<TensorData> TargetLogprobs() => Batches.Logprobs(Target);

    /// <summary>Sums <paramref name="term"/>(target, sampling, advantage) over every real token, with inputs as stored (float32).</summary>
    private static double SumTokens(Func<double, double, double, double> term) =>
        Target.Select((row, datum) => row.Select((target, position) => term(
            target,
            Batches.Stored(Sampling[datum])[position],
            Batches.Stored(Advantages[datum])[position])).Sum()).Sum();

    [Fact]
    public void Cross_entropy_of_a_hand_worked_batch_is_the_negative_weighted_sum()
    {
        var data = new List<Datum> { Batches.Datum(2, ("weights", [1.0, 0.5])) };
        var result = GradientCheck.Compute(BuiltinLosses.CrossEntropyLoss, data, Batches.Logprobs([-1.0, -2.0]));

        Assert.Equal(2.0, result.Loss, 12);
        Assert.Equal([-1.0, -0.5], result.LogprobGradients[0].ToDoubles());
    }

    [Fact]
    public void Cross_entropy_matches_reference_and_finite_differences()
    {
        var data = Target.Select((row, index) => Batches.Datum(row.Length, ("weights", Weights[index]))).ToList();
        var expected = -Target.Select((row, datum) => row.Zip(Weights[datum], (t, w) => t * w).Sum()).Sum();

        Assert.Equal(expected, GradientCheck.Compute(BuiltinLosses.CrossEntropyLoss, data, TargetLogprobs()).Loss, 12);
        GradientCheck.MatchesFiniteDifferences(BuiltinLosses.CrossEntropyLoss, data, TargetLogprobs());
    }

    [Fact]
    public void Importance_sampling_matches_reference_and_finite_differences()
    {
        var expected = -SumTokens((t, s, a) => Math.Exp(t - s) * a);

        Assert.Equal(expected, GradientCheck.Compute(BuiltinLosses.ImportanceSamplingLoss, RlBatch(), TargetLogprobs()).Loss, 12);
        GradientCheck.MatchesFiniteDifferences(BuiltinLosses.ImportanceSamplingLoss, RlBatch(), TargetLogprobs());
    }

    [Fact]
    public void Ppo_takes_the_pessimistic_clipped_objective_with_default_thresholds()
    {
        var expected = -SumTokens((t, s, a) => Math.Min(Math.Exp(t - s) * a, Math.Clamp(Math.Exp(t - s), 0.8, 1.2) * a));

        Assert.Equal(expected, GradientCheck.Compute(LossFn.Ppo().Definition, RlBatch(), TargetLogprobs()).Loss, 12);
        GradientCheck.MatchesFiniteDifferences(LossFn.Ppo().Definition, RlBatch(), TargetLogprobs());
    }

    [Fact]
    public void Ppo_clips_ratio_above_high_threshold()
    {
        // ratio e^1 ≈ 2.72 with a positive advantage: the clipped term 1.5 * 2 is the minimum.
        var data = new List<Datum> { Batches.Datum(1, ("logprobs", [-2.0]), ("advantages", [2.0])) };
        var result = GradientCheck.Compute(LossFn.Ppo(0.5, 1.5).Definition, data, Batches.Logprobs([-1.0]));

        Assert.Equal(-3.0, result.Loss, 12);
        Assert.Equal(0.0, result.LogprobGradients[0][0]);
    }

    [Fact]
    public void Ppo_honours_configured_thresholds()
    {
        var ppo = LossFn.Ppo(0.9, 1.05).Definition;
        var expected = -SumTokens((t, s, a) => Math.Min(Math.Exp(t - s) * a, Math.Clamp(Math.Exp(t - s), 0.9, 1.05) * a));

        Assert.Equal(expected, GradientCheck.Compute(ppo, RlBatch(), TargetLogprobs()).Loss, 12);
        GradientCheck.MatchesFiniteDifferences(ppo, RlBatch(), TargetLogprobs());
    }

    [Fact]
    public void Cispo_weighs_the_policy_gradient_by_the_detached_clipped_ratio()
    {
        var cispo = LossFn.Cispo(0.0, 1.5).Definition;
        var expected = -SumTokens((t, s, a) => Math.Clamp(Math.Exp(t - s), 0.0, 1.5) * t * a);

        Assert.Equal(expected, GradientCheck.Compute(cispo, RlBatch(), TargetLogprobs()).Loss, 12);

        // The clipped ratio is detached, so the gradient is that of the surrogate with the ratio
        // frozen at the evaluation point: differentiate that surrogate numerically.
        var frozen = Target.Select((row, datum) => row.Select((t, position) =>
            Math.Clamp(Math.Exp(t - Batches.Stored(Sampling[datum])[position]), 0.0, 1.5)).ToArray()).ToArray();
        GradientCheck.MatchesFiniteDifferences(cispo, RlBatch(), TargetLogprobs(), perturbed =>
            -perturbed.Select((row, datum) => row.ToDoubles().Select((t, position) =>
                frozen[datum][position] * t * Batches.Stored(Advantages[datum])[position]).Sum()).Sum());
    }

    [Fact]
    public void Cispo_defaults_are_one_sided_zero_to_four()
    {
        Assert.Equal(0.0, LossFn.Cispo().Config["clip_low_threshold"]);
        Assert.Equal(4.0, LossFn.Cispo().Config["clip_high_threshold"]);
        var expected = -SumTokens((t, s, a) => Math.Clamp(Math.Exp(t - s), 0.0, 4.0) * t * a);

        Assert.Equal(expected, GradientCheck.Compute(LossFn.Cispo().Definition, RlBatch(), TargetLogprobs()).Loss, 12);
    }

    [Fact]
    public void Dro_penalises_the_squared_log_ratio_with_beta()
    {
        var dro = LossFn.Dro(0.3).Definition;
        var expected = -SumTokens((t, s, a) => (t * a) - (0.5 * 0.3 * (t - s) * (t - s)));

        Assert.Equal(expected, GradientCheck.Compute(dro, RlBatch(), TargetLogprobs()).Loss, 12);
        GradientCheck.MatchesFiniteDifferences(dro, RlBatch(), TargetLogprobs());
    }

    [Fact]
    public void Builtins_are_selected_by_wire_name_with_config()
    {
        var ppo = LossFn.FromName("ppo", new Dictionary<string, double> { ["clip_high_threshold"] = 1.3 });

        Assert.Equal(["cross_entropy", "importance_sampling", "ppo", "cispo", "dro"], LossFn.BuiltinNames);
        Assert.Equal(0.8, ppo.Config["clip_low_threshold"]);
        Assert.Equal(1.3, ppo.Config["clip_high_threshold"]);
        var error = Assert.Throws<BatchValidationException>(() => LossFn.FromName("kl"));
        Assert.Equal("Invalid input for loss 'kl' (1 problem):\n  - batch: 'kl' is not a built-in loss; the built-ins are: cross_entropy, importance_sampling, ppo, cispo, dro.", error.Message);
    }
}
