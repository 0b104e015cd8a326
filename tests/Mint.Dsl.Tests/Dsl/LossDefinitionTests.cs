using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Dsl.Tests.Dsl;

/// <summary>
/// The runtime around every loss: what <see cref="LossDefinition.ComputeGradient"/> refuses (with the
/// message the user reads), the precision and shape of the gradients it returns, term gradient norms
/// only when asked for, and config values checked against their declared type and range.
/// </summary>
public sealed class LossDefinitionTests
{
    private static readonly double[][] Weights = [[0.5, -1.0, 2.0], [4.0]];

    private static List<Datum> Data() => Weights.Select(row => Batches.Datum(row.Length, ("weights", row))).ToList();

    private static List<TensorData> Logprobs() => Batches.Logprobs([-0.5, -1.5, -2.5], [-3.0]);

    [Fact]
    public void A_null_batch_or_null_logprobs_are_argument_errors_naming_them()
    {
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => BuiltinLosses.CrossEntropyLoss.Validate(null!)).ParamName);
        Assert.Equal("logprobs", Assert.Throws<ArgumentNullException>(() => BuiltinLosses.CrossEntropyLoss.ComputeGradient(Data(), null!)).ParamName);
    }

    [Fact]
    public void Logprobs_for_another_number_of_datums_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => BuiltinLosses.CrossEntropyLoss.ComputeGradient(Data(), Logprobs().Take(1).ToList()));

        Assert.Equal("logprobs", error.ParamName);
        Assert.StartsWith("Got log-probs for 1 datums but the batch has 2.", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<TensorData, string> WrongLogprobs => new()
    {
        { TensorData.FromDoubles([-1.0, -2.0]), "TensorData(float64, [2])" },
        { TensorData.FromInt64s([-1]), "TensorData(int64, [1])" },
    };

    [Theory]
    [MemberData(nameof(WrongLogprobs))]
    public void Logprobs_of_another_length_or_not_floats_are_refused_naming_the_datum(TensorData second, string shown)
    {
        var error = Assert.Throws<ArgumentException>(() => BuiltinLosses.CrossEntropyLoss.ComputeGradient(Data(), [Logprobs()[0], second]));

        Assert.StartsWith($"Log-probs of datum 1 are {shown}; expected floats of length 1.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_this_process_cannot_use_is_refused_by_name()
    {
        var options = new LossComputeOptions { Device = new Device(TorchSharp.DeviceType.CUDA, 15) };

        var error = Assert.Throws<ArgumentException>(() => BuiltinLosses.CrossEntropyLoss.ComputeGradient(Data(), Logprobs(), options));

        Assert.Equal("Device", error.ParamName);
        Assert.StartsWith("Device is cuda:15, but ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LossPrecision.Float32, TensorDType.Float32)]
    [InlineData(LossPrecision.Float64, TensorDType.Float64)]
    public void Gradients_come_in_the_asked_precision_one_row_per_datum_of_its_length(LossPrecision precision, TensorDType dtype)
    {
        // Cross-entropy's gradient is -weights, exact in either precision.
        var result = BuiltinLosses.CrossEntropyLoss.ComputeGradient(Data(), Logprobs(), new LossComputeOptions { Precision = precision });

        Assert.Equal([dtype, dtype], result.LogprobGradients.Select(row => row.DType));
        Assert.Equal([-0.5, 1.0, -2.0], result.LogprobGradients[0].ToDoubles());
        Assert.Equal([-4.0], result.LogprobGradients[1].ToDoubles());
        Assert.Equal(-((-0.5 * 0.5) + (-1.5 * -1.0) + (-2.5 * 2.0) + (-3.0 * 4.0)), result.Loss, 5);
    }

    public static TheoryData<Func<LossBatch, LossResult>, string> NotScalars => new()
    {
        { batch => new LossResult(-(batch.Logprobs * batch.Input("weights")).sum(1)), "it returned Float64 [2]" },
        { batch => new LossResult(batch.Input("target_tokens").sum()), "it returned Int64 []" },
    };

    [Theory]
    [MemberData(nameof(NotScalars))]
    public void A_loss_that_is_not_a_floating_point_scalar_is_an_error_naming_what_it_returned(Func<LossBatch, LossResult> body, string returned)
    {
        var error = Assert.Throws<InvalidOperationException>(() => HandWrittenLoss.Of(body).ComputeGradient(Data(), Logprobs(), new LossComputeOptions { Precision = LossPrecision.Float64 }));

        Assert.Equal($"Loss 'hand_written' must return a floating-point scalar; {returned}.", error.Message);
    }

    [Fact]
    public void A_metric_that_is_not_a_scalar_is_an_error_naming_it()
    {
        var loss = HandWrittenLoss.Of(batch => new LossResult(-batch.Logprobs.sum()).Metric("per_token", batch.Logprobs.detach()));

        var error = Assert.Throws<InvalidOperationException>(() => loss.ComputeGradient(Data(), Logprobs()));

        Assert.Equal("Metric 'per_token' of loss 'hand_written' must be a scalar; it has shape [2, 3].", error.Message);
    }

    [Fact]
    public void Evaluating_without_a_required_config_value_names_it()
    {
        using var scope = NewDisposeScope();
        var data = new List<Datum> { Batches.Datum(1, ("logprobs", [-1.0]), ("advantages", [1.0])) };

        var error = Assert.Throws<BatchValidationException>(() => BuiltinLosses.DroLoss.Evaluate(new LossBatch(data, zeros(1, 1))));

        Assert.Equal("config 'beta': required and has no default; give it a value.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Term_gradient_norms_are_measured_only_when_asked_for_and_only_for_composed_losses()
    {
        // loss = -Σ lp·w + 0.5 · Σ lp²: the base's gradient is -w, the term's (weighted) is lp.
        var composed = HandWrittenLoss.Of(batch => new LossResult(-(batch.Logprobs * batch.Input("weights")).sum())
            .Term("l2", batch.Logprobs.square().sum(), 0.5));
        var plain = HandWrittenLoss.Of(batch => new LossResult(-(batch.Logprobs * batch.Input("weights")).sum()));
        var asked = new LossComputeOptions { Precision = LossPrecision.Float64, TermGradientNorms = true };

        var measured = composed.ComputeGradient(Data(), Logprobs(), asked);
        var notAsked = composed.ComputeGradient(Data(), Logprobs(), asked with { TermGradientNorms = false });
        var noTerms = plain.ComputeGradient(Data(), Logprobs(), asked);

        Assert.Equal(Math.Sqrt(Weights.SelectMany(row => row).Sum(w => w * w)), measured.Metrics["terms/base/grad_norm"], 12);
        Assert.Equal(Math.Sqrt((0.25 + 2.25 + 6.25) + 9.0), measured.Metrics["terms/l2/grad_norm"], 12);
        Assert.DoesNotContain(notAsked.Metrics.Keys, key => key.EndsWith("/grad_norm", StringComparison.Ordinal));
        Assert.Empty(noTerms.Metrics);
        Assert.Equal(measured.LogprobGradients.SelectMany(row => row.ToDoubles()), notAsked.LogprobGradients.SelectMany(row => row.ToDoubles()));
    }

    [Fact]
    public void Term_gradient_norms_of_a_multi_target_loss_count_every_candidate_of_the_real_positions()
    {
        // Log-probs [B, T, K = 2]; loss = -Σ_k lp·w + 0.5 · Σ exp(lp): each candidate's gradient counts.
        // The second datum is padded to three positions; exp(0) there would add 0.5 per padded candidate
        // if the padding reached the gradient (LossBatch masks it, and the norm masks it again).
        var weights = new[] { new[] { 0.5, -1.0, 2.0 }, new[] { 4.0 } };
        var logprobs = new[] { new[] { -0.5, -1.0, -1.5, -2.0, -2.5, -3.0 }, new[] { -0.25, -4.0 } };
        var data = weights.Select(row => Batches.Datum(Enumerable.Range(1, row.Length).ToArray(), new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(Enumerable.Range(0, row.Length * 2).Select(token => (long)token), [row.Length, 2]),
            ["weights"] = TensorData.FromSingles(row.Select(weight => (float)weight)),
        })).ToList();
        var rows = logprobs.Select(row => TensorData.FromDoubles(row, [row.Length / 2, 2])).ToList();
        var loss = HandWrittenLoss.MultiTarget(batch => new LossResult(-(batch.Logprobs.sum(2) * batch.Input("weights")).sum())
            .Term("mass", batch.Logprobs.exp().sum(), 0.5));

        var measured = loss.ComputeGradient(data, rows, new LossComputeOptions { Precision = LossPrecision.Float64, TermGradientNorms = true });

        Assert.Equal(Math.Sqrt(weights.SelectMany(row => row).Sum(w => 2 * w * w)), measured.Metrics["terms/base/grad_norm"], 12);
        Assert.Equal(Math.Sqrt(logprobs.SelectMany(row => row).Sum(lp => Math.Pow(0.5 * Math.Exp(lp), 2))), measured.Metrics["terms/mass/grad_norm"], 12);
    }

    private static readonly LossConfigSpec[] TypedConfig =
    [
        new("steps", LossConfigType.Integer, 2, Min: 1, Max: 8),
        new("center", LossConfigType.Boolean, 0),
        new("scale", LossConfigType.Number, 1, Max: 2.5),
    ];

    private static HandWrittenLoss Typed(Dictionary<string, double> given) =>
        new(TypedConfig, (batch, _) => new LossResult(-batch.Logprobs.sum()), given);

    [Fact]
    public void Config_values_outside_their_type_or_range_are_refused_all_at_once()
    {
        var error = Assert.Throws<BatchValidationException>(() => Typed(new() { ["steps"] = 1.5, ["center"] = 0.5, ["scale"] = 3 }));

        Assert.Equal(
            ["config 'steps': is 1.5; it must be a whole number.", "config 'center': is 0.5; a boolean config is 0 or 1.", "config 'scale': is 3; it must be ≤ 2.5."],
            error.Violations.Select(violation => violation.ToString()));
        Assert.Equal("config 'steps': is 9; it must be ≤ 8.", Assert.Single(Assert.Throws<BatchValidationException>(() => Typed(new() { ["steps"] = 9 })).Violations).ToString());
    }

    [Theory]
    [InlineData(1, 0, -4)]
    [InlineData(8, 1, 2.5)]
    [InlineData(3, 0, 2.4999)]
    public void Config_values_of_their_type_inside_the_range_bind_bounds_included(double steps, double center, double scale)
    {
        var loss = Typed(new() { ["steps"] = steps, ["center"] = center, ["scale"] = scale });

        Assert.Equal((steps, center, scale), (loss.Config["steps"], loss.Config["center"], loss.Config["scale"]));
    }
}
