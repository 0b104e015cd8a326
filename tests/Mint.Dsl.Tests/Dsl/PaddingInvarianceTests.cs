using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Dsl;

/// <summary>Padding a datum, batching it beside longer datums, or reordering the batch changes nothing.</summary>
public sealed class PaddingInvarianceTests
{
    private static readonly double[] Logprobs = [-0.2, -1.3, -0.8];
    private static readonly double[] Sampling = [-0.5, -1.0, -0.9];
    private static readonly double[] Advantages = [0.7, -1.2, 2.0];

    public static TheoryData<string> RlBuiltins => new() { "importance_sampling", "ppo", "cispo", "dro" };

    private static LossDefinition Builtin(string name) =>
        LossFn.FromName(name, name == "dro" ? new Dictionary<string, double> { ["beta"] = 0.4 } : null).Definition;

    [Theory]
    [MemberData(nameof(RlBuiltins))]
    public void Trailing_tokens_with_zero_advantage_change_neither_loss_nor_gradient(string name)
    {
        var loss = Builtin(name);
        var plain = GradientCheck.Compute(loss,
            [Batches.Datum(3, ("logprobs", Sampling), ("advantages", Advantages))],
            Batches.Logprobs(Logprobs));
        var padded = GradientCheck.Compute(loss,
            [Batches.Datum(5, ("logprobs", [.. Sampling, -3.0, -0.5]), ("advantages", [.. Advantages, 0.0, 0.0]))],
            Batches.Logprobs([.. Logprobs, -3.0, -0.5]));

        Assert.Equal(plain.Loss, padded.Loss, 12);
        Assert.Equal(plain.LogprobGradients[0].ToDoubles(), padded.LogprobGradients[0].ToDoubles().Take(3));
        Assert.Equal([0.0, 0.0], padded.LogprobGradients[0].ToDoubles().Skip(3));
    }

    [Theory]
    [MemberData(nameof(RlBuiltins))]
    public void A_longer_neighbour_does_not_change_a_datums_gradient(string name)
    {
        var loss = Builtin(name);
        var alone = GradientCheck.Compute(loss,
            [Batches.Datum(3, ("logprobs", Sampling), ("advantages", Advantages))],
            Batches.Logprobs(Logprobs));
        var neighbour = Batches.Datum(6, ("logprobs", [-1, -1, -1, -1, -1, -1]), ("advantages", [1, 1, 1, 1, 1, 1]));
        var together = GradientCheck.Compute(loss,
            [Batches.Datum(3, ("logprobs", Sampling), ("advantages", Advantages)), neighbour],
            Batches.Logprobs(Logprobs, [-0.5, -0.5, -0.5, -0.5, -0.5, -0.5]));
        var neighbourAlone = GradientCheck.Compute(loss, [neighbour], Batches.Logprobs([-0.5, -0.5, -0.5, -0.5, -0.5, -0.5]));

        Assert.Equal(alone.LogprobGradients[0].ToDoubles(), together.LogprobGradients[0].ToDoubles());
        Assert.Equal(3, together.LogprobGradients[0].Count);
        Assert.Equal(alone.Loss + neighbourAlone.Loss, together.Loss, 12);
    }

    [Fact]
    public void Reordering_datums_permutes_gradients_and_keeps_the_loss()
    {
        var data = new List<Datum>
        {
            Batches.Datum(2, ("weights", [1, 1])),
            Batches.Datum(4, ("weights", [0, 1, 0.5, 1])),
            Batches.Datum(3, ("weights", [1, 0, 2])),
        };
        var logprobs = Batches.Logprobs([-1, -2], [-0.5, -0.1, -3, -0.2], [-0.7, -0.7, -0.9]);
        int[] order = [2, 0, 1];

        var forward = GradientCheck.Compute(BuiltinLosses.CrossEntropyLoss, data, logprobs);
        var shuffled = GradientCheck.Compute(BuiltinLosses.CrossEntropyLoss,
            order.Select(index => data[index]).ToList(), order.Select(index => logprobs[index]).ToList());

        Assert.Equal(forward.Loss, shuffled.Loss, 12);
        for (var position = 0; position < order.Length; position++)
        {
            Assert.Equal(forward.LogprobGradients[order[position]].ToDoubles(), shuffled.LogprobGradients[position].ToDoubles());
        }
    }

    [Fact]
    public void Reordering_pairs_keeps_the_pairwise_loss_and_metrics()
    {
        var pairs = new[]
        {
            (PreferenceData.Completion([1, 2], [3, 4]), PreferenceData.Completion([1, 2], [5])),
            (PreferenceData.Completion([6], [7, 8, 9]), PreferenceData.Completion([6], [10, 11])),
        };
        var rows = new[] { new double[] { -0.1, -0.4, -0.2 }, [-0.3, -0.9], [-1.0, -0.5, -0.6], [-0.2, -0.3] };
        var inOrder = pairs.SelectMany(pair => new[] { pair.Item1, pair.Item2 }).ToList();
        var swapped = new List<Datum> { inOrder[2], inOrder[3], inOrder[0], inOrder[1] };

        var first = GradientCheck.Compute(PreferenceLosses.PairwisePreferenceLoss, inOrder, Batches.Logprobs(rows));
        var second = GradientCheck.Compute(PreferenceLosses.PairwisePreferenceLoss, swapped, Batches.Logprobs(rows[2], rows[3], rows[0], rows[1]));

        Assert.Equal(first.Loss, second.Loss, 12);
        Assert.Equal(first.Metrics["pair_accuracy"], second.Metrics["pair_accuracy"], 12);
        Assert.Equal(first.Metrics["mean_margin"], second.Metrics["mean_margin"], 12);
        Assert.Equal(first.LogprobGradients[0].ToDoubles(), second.LogprobGradients[2].ToDoubles());
        Assert.Equal(first.LogprobGradients[3].ToDoubles(), second.LogprobGradients[1].ToDoubles());
    }
}
