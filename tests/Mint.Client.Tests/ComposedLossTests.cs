using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Dsl.Tests.Support;
using Mint.Engine.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Client.Tests;

/// <summary>
/// Composed losses (<see cref="LossResult.Term"/>): a base loss plus named, weighted terms, each
/// reported, with the norm of each term's gradient on request.
/// </summary>
public sealed class ComposedLossTests
{
    private static readonly double[][] Logprobs = [[-0.5, -1.5, -2.0, -0.25], [-1.0, -3.0]];
    private static readonly double[][] Weights = [[0.0, 1.0, 1.0, 0.5], [1.0, 2.0]];
    private static readonly double[][] Reference = [[-0.4, -1.0, -2.5, -0.5], [-0.7, -2.0]];

    private static List<Datum> Batch() => Logprobs.Select((row, index) => new Datum(
        ModelInput.FromInts(Enumerable.Range(1, row.Length)),
        new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(Enumerable.Range(2, row.Length).Select(token => (long)token)),
            ["weights"] = TensorData.FromSingles(Weights[index].Select(value => (float)value)),
            ["reference_logprobs"] = TensorData.FromSingles(Reference[index].Select(value => (float)value)),
        })).ToList();

    private static List<TensorData> LogprobRows() => Logprobs.Select(row => TensorData.FromDoubles(row)).ToList();

    private static double Sum(Func<int, int, double> perToken) =>
        Logprobs.SelectMany((row, datum) => row.Select((_, position) => perToken(datum, position))).Sum();

    [Fact]
    public void The_loss_is_the_base_plus_each_weighted_term_and_each_term_is_reported()
    {
        var result = GradientCheck.Compute(TestLosses.RegularizedSftLoss.With(klWeight: 0.3, l2Weight: 0.05), Batch(), LogprobRows());

        var nll = Sum((d, p) => -Logprobs[d][p] * Weights[d][p]);
        var kl = Sum((d, p) => (Logprobs[d][p] - (float)Reference[d][p]) * Weights[d][p]);
        var l2 = Sum((d, p) => Logprobs[d][p] * Logprobs[d][p] * Weights[d][p]);
        Assert.Equal(nll + (0.3 * kl) + (0.05 * l2), result.Loss, 9);
        Assert.Equal(nll, result.Metrics["terms/base"], 9);
        Assert.Equal(kl, result.Metrics["terms/kl"], 6);
        Assert.Equal(l2, result.Metrics["terms/l2"], 9);
        Assert.Equal(5.5, result.Metrics["weighted_tokens"], 6);
        Assert.DoesNotContain(result.Metrics.Keys, key => key.EndsWith("/grad_norm", StringComparison.Ordinal));
    }

    [Fact]
    public void The_composed_gradient_matches_finite_differences() =>
        GradientCheck.MatchesFiniteDifferences(TestLosses.RegularizedSftLoss.With(klWeight: 0.3, l2Weight: 0.05), Batch(), LogprobRows());

    [Fact]
    public void Each_terms_gradient_norm_is_its_weighted_gradients_norm_over_real_positions()
    {
        var options = new LossComputeOptions { Precision = LossPrecision.Float64, TermGradientNorms = true };

        var result = TestLosses.RegularizedSftLoss.With(klWeight: 0.3, l2Weight: 0.05).ComputeGradient(Batch(), LogprobRows(), options);

        // d nll = -w, d (0.3 kl) = 0.3 w, d (0.05 l2) = 0.1 · logprobs · w; the second datum is padded
        // to four positions inside the computation, which must not count.
        var weightNorm = Math.Sqrt(Sum((d, p) => Weights[d][p] * Weights[d][p]));
        Assert.Equal(weightNorm, result.Metrics["terms/base/grad_norm"], 9);
        Assert.Equal(0.3 * weightNorm, result.Metrics["terms/kl/grad_norm"], 9);
        Assert.Equal(Math.Sqrt(Sum((d, p) => Math.Pow(0.1 * Logprobs[d][p] * Weights[d][p], 2))), result.Metrics["terms/l2/grad_norm"], 9);

        // The gradient itself is unchanged by asking for the norms.
        var plain = GradientCheck.Compute(TestLosses.RegularizedSftLoss.With(klWeight: 0.3, l2Weight: 0.05), Batch(), LogprobRows());
        Assert.Equal(plain.LogprobGradients.SelectMany(row => row.ToDoubles()), result.LogprobGradients.SelectMany(row => row.ToDoubles()));
    }

    [Fact]
    public void A_term_that_does_not_depend_on_the_logprobs_has_gradient_norm_zero()
    {
        using var scope = NewDisposeScope();
        var logprobs = tensor(new[] { -1.0, -2.0 }).requires_grad_();
        var result = new LossResult(-logprobs.sum()).Term("constant", tensor(3.0), weight: 2);

        Assert.Equal(3.0 + 6.0, result.Loss.item<double>(), 12);
        Assert.Equal(["terms/base", "terms/constant"], result.Metrics.Select(metric => metric.Key));
    }

    [Fact]
    public void Term_names_weights_and_values_are_checked_where_they_are_added()
    {
        using var scope = NewDisposeScope();
        var loss = tensor(1.0);

        Assert.Throws<ArgumentException>(() => new LossResult(loss).Term("base", tensor(1.0)));
        Assert.Throws<ArgumentException>(() => new LossResult(loss).Term("kl", tensor(1.0)).Term("kl", tensor(2.0)));
        Assert.Throws<ArgumentException>(() => new LossResult(loss).Term("kl/x", tensor(1.0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossResult(loss).Term("kl", tensor(1.0), double.NaN));
        Assert.Contains("[2]", Assert.Throws<ArgumentException>(() => new LossResult(loss).Term("kl", tensor(new[] { 1.0, 2.0 }))).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => new LossResult(loss).Metric("terms/kl", 1.0)).Message);
    }

    [Fact]
    public async Task A_composed_custom_loss_trains_and_reports_its_terms_through_the_client()
    {
        await using var service = new EmbeddedService();
        var training = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
        training.LossOptions = new LossComputeOptions { TermGradientNorms = true };
        var batch = new List<Datum>
        {
            WithReference(Data.Sft([1, 5, 9, 13, 17], [0, 1, 1, 0.5f])),
            WithReference(Data.Sft([2, 4, 6], [1, 1])),
        };

        var first = await training.ForwardBackwardCustomAsync(batch, TestLosses.RegularizedSftLoss);
        await training.OptimStepAsync(new AdamParams(LearningRate: 1e-2));
        var second = await training.ForwardBackwardCustomAsync(batch, TestLosses.RegularizedSftLoss);

        Assert.Equal(first.Metrics["terms/base"] + (0.1 * first.Metrics["terms/kl"]) + (0.01 * first.Metrics["terms/l2"]), first.Loss, 4);
        Assert.True(first.Metrics["terms/base/grad_norm"] > first.Metrics["terms/kl/grad_norm"]);
        Assert.True(second.Metrics["terms/base"] < first.Metrics["terms/base"], "one step should lower the cross-entropy");
    }

    [Fact]
    public async Task In_the_engine_and_in_two_passes_a_composed_loss_reports_the_same_terms()
    {
        await using var service = new EmbeddedService();
        var batch = new List<Datum> { WithReference(Data.Sft([1, 5, 9, 13, 17], [0, 1, 1, 0.5f])), WithReference(Data.Sft([2, 4, 6], [1, 1])) };
        var results = new List<ForwardBackwardResult>();
        foreach (var routing in new[] { CustomLossRouting.InEngine, CustomLossRouting.TwoPass })
        {
            var training = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
            training.CustomLossRouting = routing;
            results.Add(await training.ForwardBackwardCustomAsync(batch, TestLosses.RegularizedSftLoss));
        }

        Assert.Equal(LossExecution.InEngine, results[0].Execution);
        foreach (var key in new[] { "loss:sum", "terms/base", "terms/kl", "terms/l2", "weighted_tokens" })
        {
            Assert.Equal(results[1].Metrics[key], results[0].Metrics[key], 4);
        }
    }

    private static Datum WithReference(Datum datum) => new(datum.ModelInput, new Dictionary<string, TensorData>(datum.LossFnInputs)
    {
        ["reference_logprobs"] = TensorData.FromSingles(Enumerable.Repeat(-3f, datum.ModelInput.Length)),
    });
}
