using System.Collections.Generic;
using System.Linq;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Dsl.Graphs;
using Mint.Samples.Preference;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Client.Tests.Graphs;

/// <summary>
/// A loss graph, rebuilt from the runtime's op table as a server rebuilds it, computes what the loss
/// method computes: loss, metrics and dL/dlogprobs, in float64, on the same batch.
/// </summary>
public sealed class GraphExecutionTests
{
    public static TheoryData<string> Losses => new(LowerableLosses.Names);

    [Theory]
    [MemberData(nameof(Losses))]
    public void The_rebuilt_graph_gives_the_methods_loss_metrics_and_gradient_in_float64(string name)
    {
        var method = LowerableLosses.Definition(name);
        var graph = GraphLossDefinition.Load(method.Graph!).WithConfig(method.Config);
        var batch = ContractBatches.For(method.Contract, datums: 6, seed: name.Length);
        var logprobs = ContractBatches.Logprobs(batch, seed: name.Length + 1);
        var options = new LossComputeOptions { Precision = LossPrecision.Float64 };

        var expected = method.ComputeGradient(batch, logprobs, options);
        var actual = graph.ComputeGradient(batch, logprobs, options);

        Assert.Equal(expected.Loss, actual.Loss, 12);
        Assert.Equal(expected.Metrics.Keys, actual.Metrics.Keys);
        Assert.All(expected.Metrics, metric => Assert.Equal(metric.Value, actual.Metrics[metric.Key], 12));
        Assert.Contains(expected.LogprobGradients, gradient => gradient.ToDoubles().Any(value => value != 0));
        for (var datum = 0; datum < batch.Count; datum++)
        {
            var want = expected.LogprobGradients[datum].ToDoubles();
            var got = actual.LogprobGradients[datum].ToDoubles();
            Assert.Equal(want.Length, got.Length);
            Assert.All(want.Zip(got), pair => Assert.Equal(pair.First, pair.Second, 12));
        }
    }

    [Fact]
    public void A_graph_loss_validates_a_batch_with_the_generated_rules_and_messages()
    {
        var dpo = PreferenceLosses.DpoLoss;
        var graph = GraphLossDefinition.Load(dpo.Graph!);
        var batch = ContractBatches.For(dpo.Contract, datums: 5);
        batch[1] = new Datum(batch[1].ModelInput, batch[1].LossFnInputs.Where(entry => entry.Key != "reference_logprobs").ToDictionary());
        batch[2] = new Datum(batch[2].ModelInput, new Dictionary<string, TensorData>(batch[2].LossFnInputs) { ["weights"] = TensorData.FromSingles([float.NaN, 1]) });

        var expected = Assert.Throws<BatchValidationException>(() => dpo.Validate(batch));
        var actual = Assert.Throws<BatchValidationException>(() => graph.Validate(batch));

        Assert.True(expected.Violations.Count >= 3, string.Join("\n", expected.Violations));
        Assert.Equal(expected.Violations, actual.Violations);
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void Config_binds_on_a_graph_loss_as_on_the_generated_one()
    {
        var graph = GraphLossDefinition.Load(TestLosses.FocalCrossEntropyLoss.Graph!);

        var unknown = Assert.Throws<BatchValidationException>(() => graph.WithConfig(new Dictionary<string, double> { ["gama"] = 1 }));
        var missing = Assert.Throws<BatchValidationException>(() => graph.Validate(ContractBatches.For(graph.Contract)));

        Assert.Equal("'focal_cross_entropy' has no such config; it accepts: gamma, floor, scale.", Assert.Single(unknown.Violations).Reason);
        Assert.Contains(missing.Violations, violation => violation.Key == "gamma");
        Assert.Equal(-30, graph.Config["floor"]);
    }
}
