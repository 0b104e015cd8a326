using System.Collections.Generic;
using System.Linq;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Dsl.Graphs;
using Xunit;

namespace Mint.Client.Tests;

/// <summary>
/// A composed loss (<c>LossResult.Term</c>) lowers with its terms: the graph carries each term's
/// value and weight, runs as the generated method does, and the server's checker holds terms to
/// the rules <c>LossResult.Term</c> enforces.
/// </summary>
public sealed class ComposedLossGraphTests
{
    private static readonly LossGraph Regularized = TestLosses.RegularizedSftLoss.Graph!;

    [Fact]
    public void A_composed_loss_lowers_with_its_terms_weighted_by_config()
    {
        Assert.Equal(["kl", "l2"], Regularized.Terms.Select(term => term.Name));
        Assert.Equal(["kl_weight", "l2_weight"], Regularized.Terms.Select(term => Regularized.Nodes[term.Weight].Key));
        Assert.Equal(["weighted_tokens"], Regularized.Metrics.Select(metric => metric.Name));
        Assert.Contains("term kl = %", Regularized.ToString(), System.StringComparison.Ordinal);
        Assert.Empty(GraphChecker.Problems(Regularized));
    }

    [Fact]
    public void The_graph_computes_the_generated_methods_loss_terms_and_gradient()
    {
        var config = new Dictionary<string, double> { ["kl_weight"] = 0.5, ["l2_weight"] = 0.25 };
        var generated = TestLosses.RegularizedSftLoss.WithConfig(config);
        var graph = GraphLossDefinition.Load(Regularized).WithConfig(config);
        var batch = ContractBatches.For(generated.Contract, datums: 4, seed: 3);
        var logprobs = ContractBatches.Logprobs(batch);
        var options = new LossComputeOptions { Precision = LossPrecision.Float64 };

        var expected = generated.ComputeGradient(batch, logprobs, options);
        var actual = graph.ComputeGradient(batch, logprobs, options);

        Assert.Equal(expected.Loss, actual.Loss, 12);
        Assert.Equal(expected.Metrics.Keys.Order(), actual.Metrics.Keys.Order());
        Assert.All(expected.Metrics, metric => Assert.Equal(metric.Value, actual.Metrics[metric.Key], 12));
        Assert.Equal(actual.Metrics["terms/base"] + (0.5 * actual.Metrics["terms/kl"]) + (0.25 * actual.Metrics["terms/l2"]), actual.Loss, 10);

        // dL/dlogprobs = w · (-1 + klWeight + 2 · l2Weight · logprobs), written out independently.
        for (var row = 0; row < batch.Count; row++)
        {
            var weights = batch[row].LossFnInputs["weights"].ToDoubles();
            var values = logprobs[row].ToDoubles();
            var analytic = weights.Select((w, i) => w * (-1 + 0.5 + (2 * 0.25 * values[i]))).ToArray();
            Assert.Equal(analytic, actual.LogprobGradients[row].ToDoubles(), (a, b) => System.Math.Abs(a - b) < 1e-12);
        }
    }

    [Theory]
    [InlineData("base", "term name")]
    [InlineData("kl/x", "term name")]
    [InlineData("l2", "term name")]
    [InlineData("", "term name")]
    public void Term_names_loss_result_refuses_are_refused(string name, string expected)
    {
        var terms = Regularized.Terms.ToList();
        terms[0] = terms[0] with { Name = name };

        var problems = GraphChecker.Problems(With(terms));

        Assert.Contains(problems, problem => problem.Reason.Contains(expected, System.StringComparison.Ordinal));
    }

    [Fact]
    public void A_term_must_be_a_float_scalar_tensor_weighted_by_a_number()
    {
        var weightsInput = Regularized.Nodes.Select((node, index) => (node, index)).First(entry => entry.node.Op == "input" && entry.node.Key == "weights").index;
        var lossNode = Regularized.Loss;
        var kl = Regularized.Terms[0];

        var perToken = GraphChecker.Problems(With([kl with { Node = weightsInput }]));
        var tensorWeight = GraphChecker.Problems(With([kl with { Weight = lossNode }]));
        var missingWeight = GraphChecker.Problems(With([kl with { Weight = Regularized.Nodes.Count + 3 }]));

        Assert.Contains(perToken, problem => problem.Key == "term kl" && problem.Reason.Contains("scalar", System.StringComparison.Ordinal));
        Assert.Contains(tensorWeight, problem => problem.Key == "term kl" && problem.Reason.Contains("not a number node", System.StringComparison.Ordinal));
        Assert.Contains(missingWeight, problem => problem.Key == "term kl" && problem.Reason.Contains("not a number node", System.StringComparison.Ordinal));
    }

    private static LossGraph With(IReadOnlyList<GraphTerm> terms) =>
        new(Regularized.Name, Regularized.Layout, Regularized.Inputs, Regularized.Config, Regularized.Nodes, Regularized.Loss, Regularized.Metrics, terms);
}
