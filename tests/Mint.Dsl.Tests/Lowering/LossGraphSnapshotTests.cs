using Mint.Dsl.Graphs;
using Mint.Dsl.Tests.Support;
using Mint.Samples.Preference;
using System.Linq;
using Xunit;

namespace Mint.Dsl.Tests.Lowering;

/// <summary>
/// The graphs the generator lowered from the built-ins' and the samples' bodies, as the runtime
/// holds them (text snapshots beside <c>Snapshots/</c>), and each one sound by the server's checker.
/// </summary>
public sealed class LossGraphSnapshotTests
{
    public static TheoryData<string> Losses => ["cross_entropy", "importance_sampling", "ppo", "cispo", "dro", "pairwise_preference", "dpo", "dpo_sequence_reference", "answer_choice", "candidate_gradient"];

    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_builtin_and_sample_loss_lowers_to_the_checked_in_graph(string name)
    {
        var graph = Definition(name).Graph;

        Assert.NotNull(graph);
        SnapshotAssert.MatchesText(name, graph.ToString());
        Assert.Empty(GraphChecker.Problems(graph));
    }

    [Fact]
    public void A_graph_carries_its_losss_contract()
    {
        var dpo = PreferenceLosses.DpoLoss;
        var graph = dpo.Graph!;

        Assert.Equal(LossGraph.TargetLogprobsKey, graph.Inputs[0].Key);
        Assert.All(graph.Inputs, input => Assert.Equal(InputRank.PerToken, input.Rank));
        Assert.Equal(dpo.Contract.ToString(), graph.Contract.ToString());
        Assert.Equal(dpo.Contract.Config, graph.Config);
    }

    [Fact]
    public void A_graph_carries_the_ranks_of_its_inputs_and_log_probs()
    {
        var choice = MultipleChoiceLosses.AnswerChoiceLoss.Graph!;
        var dpo = PreferenceLosses.DpoSequenceReferenceLoss.Graph!;

        Assert.Equal(
            [(LossGraph.TargetLogprobsKey, InputRank.KPerToken), ("target_tokens", InputRank.KPerToken), ("answer", InputRank.KPerToken), ("weights", InputRank.PerToken)],
            choice.Inputs.Select(input => (input.Key, input.Rank)));
        Assert.Equal(InputRank.PerDatum, dpo.Inputs.Single(input => input.Key == "reference_logprob").Rank);
        Assert.True(choice.Contract.IsMultiTarget);
        Assert.Equal(MultipleChoiceLosses.AnswerChoiceLoss.Contract.ToString(), choice.Contract.ToString());
        Assert.Equal(PreferenceLosses.DpoSequenceReferenceLoss.Contract.Inputs, dpo.Contract.Inputs);
    }

    private static LossDefinition Definition(string name) => name switch
    {
        "pairwise_preference" => PreferenceLosses.PairwisePreferenceLoss,
        "dpo" => PreferenceLosses.DpoLoss,
        "dpo_sequence_reference" => PreferenceLosses.DpoSequenceReferenceLoss,
        "answer_choice" => MultipleChoiceLosses.AnswerChoiceLoss,
        "candidate_gradient" => GradientPassLosses.CandidateGradientLoss,
        _ => LossFn.FromName(name, name == "dro" ? new System.Collections.Generic.Dictionary<string, double> { ["beta"] = 0.1 } : null).Definition,
    };
}
