using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Graphs;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Dsl.Tests.Graphs;

/// <summary>
/// The server's checker knows the three input ranks: per-datum and K-per-token inputs run, and
/// graphs whose ranks cannot hold are refused, each naming the part and the rule.
/// </summary>
public sealed class GraphCheckerRankTests
{
    private static readonly LossGraph Choice = MultipleChoiceLosses.AnswerChoiceLoss.Graph!;

    private static LossGraph WithInputs(LossGraph graph, IReadOnlyList<GraphInput> inputs, IReadOnlyList<GraphNode>? nodes = null) =>
        new(graph.Name, graph.Layout, inputs, graph.Config, nodes ?? graph.Nodes, graph.Loss, graph.Metrics);

    private static List<string> Problems(LossGraph graph) => GraphChecker.Problems(graph).Select(problem => $"{problem.Key}: {problem.Reason}").ToList();

    [Fact]
    public void Per_datum_and_multi_target_graphs_are_sound()
    {
        Assert.Empty(GraphChecker.Problems(Choice));
        Assert.Empty(GraphChecker.Problems(PreferenceLosses.DpoSequenceReferenceLoss.Graph!));
    }

    [Fact]
    public void Log_probs_per_datum_are_refused()
    {
        var inputs = Choice.Inputs.Select(input => input with { Rank = InputRank.PerDatum }).ToList();

        Assert.Contains("inputs[0]: rank: input 'target_logprobs' has rank 0; inputs are per datum (0), per token (1) or K per token (2), the log-probs per token or K per token.", Problems(WithInputs(Choice, inputs)));
    }

    [Fact]
    public void Target_tokens_of_another_rank_than_the_log_probs_are_refused()
    {
        var inputs = Choice.Inputs.Select(input => input.Key == "target_tokens" ? input with { Rank = InputRank.PerToken } : input).ToList();

        Assert.Equal(["inputs: rank: 'target_tokens' has rank 1 but the log-probs rank 2: the engine computes one log-prob per target."], Problems(WithInputs(Choice, inputs)));
    }

    [Fact]
    public void A_K_per_token_input_without_multi_target_log_probs_is_refused()
    {
        var inputs = Choice.Inputs.Select(input => input.Key is "target_tokens" or LossGraph.TargetLogprobsKey ? input with { Rank = InputRank.PerToken } : input).ToList();

        Assert.Contains("inputs: rank: an input is K per token (rank 2) but the log-probs are not: K is the number of candidate targets, so only a multi-target loss has one.", Problems(WithInputs(Choice, inputs)));
    }

    [Fact]
    public void A_per_datum_value_does_not_broadcast_against_tokens()
    {
        // weights per datum [B] times a per-token value [B, T]: B would meet T, so it is refused.
        var inputs = Choice.Inputs.Select(input => input.Key == "weights" ? input with { Rank = InputRank.PerDatum } : input).ToList();

        Assert.Contains(Problems(WithInputs(Choice, inputs)), problem => problem.StartsWith("%7 (mul): shape: mul cannot broadcast"));
    }

    [Fact]
    public void Logsumexp_needs_a_dimension_that_exists()
    {
        var nodes = Choice.Nodes.ToList();
        nodes[1] = GraphNode.Reduce("logsumexp", 0, dim: 3);
        var withoutDim = Choice.Nodes.ToList();
        withoutDim[1] = GraphNode.Apply("logsumexp", 0);

        Assert.Contains("%1 (logsumexp): rank: logsumexp over dim 3 of a float tensor [B, T, K]: no such dimension.", Problems(WithInputs(Choice, Choice.Inputs, nodes)));
        Assert.Contains("%1 (logsumexp): attributes: logsumexp needs a dim.", Problems(WithInputs(Choice, Choice.Inputs, withoutDim)));
    }
}
