using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Mint.Client.Tests.Support;
using Mint.Dsl.Tests.Support;
using Mint.Dsl.Graphs;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Dsl.Tests.Graphs;

/// <summary>
/// Thousands of mutated and random graphs (FsCheck) at the checker a server runs on every
/// registration: each one is rejected with violations that name a part and a rule, or it is sound
/// and then runs (forward and backward) on a batch that fits its contract. Nothing else may happen.
/// </summary>
public sealed class GraphCheckerPropertyTests
{
    private static readonly GraphInput[] Inputs =
    [
        new(LossGraph.TargetLogprobsKey, TensorDType.Float32, InputRank.PerToken),
        new("target_tokens", TensorDType.Int64, InputRank.PerToken),
        new("weights", TensorDType.Float32, InputRank.PerToken),
        new("logprobs", TensorDType.Float32, InputRank.PerToken),
        new("advantages", TensorDType.Float32, InputRank.PerToken),
    ];

    [Fact]
    public void Mutated_builtin_and_sample_graphs_are_rejected_by_name_and_rule_or_run()
    {
        var accepted = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(Arb.From(LossGraphFuzz.Mutated()), graph => Holds(graph, ref accepted)));

        // Some mutations (a different constant, keepdim on a sum) leave a sound graph: those ran.
        Assert.InRange(accepted, 1, 1999);
    }

    [Fact]
    public void Random_graphs_over_the_op_set_are_rejected_by_name_and_rule_or_run()
    {
        var accepted = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(Arb.From(LossGraphFuzz.Random()), graph => Holds(graph, ref accepted)));
    }

    [Fact]
    public void A_loss_without_a_gradient_path_from_the_log_probs_is_rejected()
    {
        var graph = new LossGraph(
            "no_gradient",
            BatchLayout.Independent,
            Inputs,
            [],
            [GraphNode.Input(LossGraph.TargetLogprobsKey), GraphNode.Apply("detach", 0), GraphNode.Reduce("sum", 1)],
            2,
            []);

        var problem = Assert.Single(GraphChecker.Problems(graph));

        Assert.Equal("loss", problem.Key);
        Assert.StartsWith("gradient: ", problem.Reason);
    }

    private static bool Holds(LossGraph graph, ref int accepted)
    {
        var problems = GraphChecker.Problems(graph);
        if (problems.Count > 0)
        {
            return problems.All(problem => !string.IsNullOrEmpty(problem.Key) && problem.Reason.Contains(": ", StringComparison.Ordinal));
        }

        accepted++;
        using var scope = NewDisposeScope();
        // Required config gets a value every config type accepts.
        var loss = GraphLossDefinition.Load(graph).WithConfig(graph.Config.Where(spec => spec.IsRequired).ToDictionary(spec => spec.Key, _ => 1.0));
        var batch = ContractBatches.For(loss.Contract, datums: 4, seed: accepted);
        var result = loss.ComputeGradient(batch, ContractBatches.Logprobs(batch), new LossComputeOptions { Precision = LossPrecision.Float64 });
        return result.LogprobGradients.Count == batch.Count && result.Metrics.Count == graph.Metrics.Count;
    }
}
