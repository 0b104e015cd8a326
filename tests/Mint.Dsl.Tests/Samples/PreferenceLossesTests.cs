using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Samples;

/// <summary>The seed's preference losses against hand-written references and finite differences.</summary>
public sealed class PreferenceLossesTests
{
    // Two pairs; each pair shares the prompt [5, 6]; completions differ in length.
    private static readonly int[] Prompt = [5, 6];
    private static readonly int[][] Completions = [[7, 8], [9], [10, 11, 12], [13, 14]];
    private static readonly double[][] Policy = [[-9, -0.4, -0.7], [-9, -1.5], [-9, -0.2, -0.3, -0.9], [-9, -0.1, -0.2]];
    private static readonly double[][] Reference = [[-8, -0.6, -0.9], [-8, -1.0], [-8, -0.5, -0.5, -0.5], [-8, -0.9, -0.4]];

    private static List<Datum> PairBatch(bool withReference = false) => Completions.Select((completion, index) =>
    {
        var datum = PreferenceData.Completion(Prompt, completion);
        if (!withReference)
        {
            return datum;
        }

        var inputs = datum.LossFnInputs.ToDictionary();
        inputs["reference_logprobs"] = TensorData.FromSingles(Reference[index].Select(value => (float)value));
        return new Datum(datum.ModelInput, inputs);
    }).ToList();

    /// <summary>Weighted sum of a row: weight 0 on the prompt's first position, 1 after it.</summary>
    private static double Completion(double[] row) => row.Skip(Prompt.Length - 1).Sum();

    private static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));

    [Fact]
    public void Pairwise_preference_is_mean_negative_log_sigmoid_of_the_margins()
    {
        var margins = new[] { Completion(Policy[0]) - Completion(Policy[1]), Completion(Policy[2]) - Completion(Policy[3]) };

        var result = GradientCheck.Compute(PreferenceLosses.PairwisePreferenceLoss, PairBatch(), Batches.Logprobs(Policy));

        Assert.Equal(-margins.Average(LogSigmoid), result.Loss, 12);
        Assert.Equal(margins.Count(margin => margin > 0) / 2.0, result.Metrics["pair_accuracy"], 12);
        Assert.Equal(margins.Average(), result.Metrics["mean_margin"], 12);
        Assert.Equal(["pair_accuracy", "mean_margin"], result.Metrics.Keys);
    }

    [Fact]
    public void Pairwise_preference_gradient_matches_finite_differences()
    {
        GradientCheck.MatchesFiniteDifferences(PreferenceLosses.PairwisePreferenceLoss, PairBatch(), Batches.Logprobs(Policy));
    }

    [Fact]
    public void Pairwise_preference_gradient_is_zero_on_the_prompt()
    {
        var result = GradientCheck.Compute(PreferenceLosses.PairwisePreferenceLoss, PairBatch(), Batches.Logprobs(Policy));

        Assert.All(result.LogprobGradients, row => Assert.Equal(0.0, row[0]));
        Assert.All(result.LogprobGradients, row => Assert.NotEqual(0.0, row[1]));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void Dpo_is_bradley_terry_on_beta_scaled_reward_gains(double beta)
    {
        double Reward(int datum) => beta * (Completion(Policy[datum]) - Completion(Reference[datum]));
        var margins = new[] { Reward(0) - Reward(1), Reward(2) - Reward(3) };
        var dpo = PreferenceLosses.DpoLoss.With(beta: beta);

        var result = GradientCheck.Compute(dpo, PairBatch(withReference: true), Batches.Logprobs(Policy));

        Assert.Equal(-margins.Average(LogSigmoid), result.Loss, 6);
        Assert.Equal(margins.Count(margin => margin > 0) / 2.0, result.Metrics["reward_accuracy"], 12);
        Assert.Equal((Reward(0) + Reward(2)) / 2, result.Metrics["chosen_reward"], 6);
        Assert.Equal((Reward(1) + Reward(3)) / 2, result.Metrics["rejected_reward"], 6);
        GradientCheck.MatchesFiniteDifferences(dpo, PairBatch(withReference: true), Batches.Logprobs(Policy));
    }

    [Fact]
    public void Dpo_beta_defaults_to_its_declared_value_and_requires_reference_logprobs()
    {
        Assert.Equal(0.1, PreferenceLosses.DpoLoss.Config["beta"]);
        Assert.Equal(["target_tokens", "reference_logprobs", "weights"], PreferenceLosses.DpoLoss.Contract.Inputs.Select(input => input.Key));
        Assert.Equal(BatchLayout.ChosenRejectedPairs, PreferenceLosses.DpoLoss.Contract.Layout);
    }
}
