using Mint.Dsl.Graphs;
using Mint.Dsl.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Lowering;

/// <summary>
/// The graphs the generator lowered from the built-ins' and the samples' bodies, as the runtime
/// holds them (text snapshots beside <c>Snapshots/</c>), and each one sound by the server's checker.
/// </summary>
public sealed class LossGraphSnapshotTests
{
    public static TheoryData<string> Losses => ["cross_entropy", "importance_sampling", "ppo", "cispo", "dro", "pairwise_preference", "dpo"];

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

    private static LossDefinition Definition(string name) => name switch
    {
        "pairwise_preference" => PreferenceLosses.PairwisePreferenceLoss,
        "dpo" => PreferenceLosses.DpoLoss,
        _ => LossFn.FromName(name, name == "dro" ? new System.Collections.Generic.Dictionary<string, double> { ["beta"] = 0.1 } : null).Definition,
    };
}
