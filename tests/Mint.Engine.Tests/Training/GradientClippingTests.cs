using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Training;

/// <summary><c>grad_clip_norm</c>: the global gradient norm is capped before the update; the reported norm is the one before.</summary>
public sealed class GradientClippingTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load();

    public void Dispose() => model.Dispose();

    private static List<Datum> Batch(float scale = 1) =>
    [
        Data.Sft([1, 5, 9, 13, 17], [0, scale, scale, scale / 2]),
        Data.Sft([2, 4, 6], [scale, scale]),
    ];

    // eps = 1 makes Adam's first step depend on the gradient's size, so a clipped step shows.
    private static AdamParams Adam(double clip) => new(LearningRate: 0.05, Eps: 1.0, GradClipNorm: clip);

    [Fact]
    public void A_clipped_step_equals_an_unclipped_step_on_the_gradient_scaled_down_to_the_limit()
    {
        using var clipped = new TrainingSession("clipped", model, new LoraConfig(4, Seed: 2));
        using var scaled = new TrainingSession("scaled", model, new LoraConfig(4, Seed: 2));
        clipped.ForwardBackward(Batch(), LossFn.CrossEntropy);
        clipped.OptimStep(new AdamParams(LearningRate: 0.05));
        scaled.ForwardBackward(Batch(), LossFn.CrossEntropy);
        scaled.OptimStep(new AdamParams(LearningRate: 0.05));
        clipped.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var norm = Norm(clipped.AdapterGradients());
        const double limit = 0.01;
        Assert.True(norm > 10 * limit, $"the gradient norm {norm} should be far above the limit");

        // Cross-entropy's gradient is linear in the weights: scaling them scales the gradient exactly.
        var factor = (float)(limit / (norm + 1e-6));
        scaled.ForwardBackward(Batch(factor), LossFn.CrossEntropy);
        var clippedStep = clipped.OptimStep(Adam(limit));
        var scaledStep = scaled.OptimStep(Adam(0));

        Assert.Equal(norm, clippedStep.Metrics["grad_norm"], 6);
        Assert.Equal(limit, scaledStep.Metrics["grad_norm"], 6);
        var after = clipped.AdapterWeights();
        var reference = scaled.AdapterWeights();
        Assert.All(after, entry => Assert.True(allclose(entry.Value, reference[entry.Key], rtol: 1e-4, atol: 1e-7), entry.Key));
    }

    [Fact]
    public void A_gradient_under_the_limit_and_a_zero_limit_leave_the_step_unchanged()
    {
        using var plain = new TrainingSession("plain", model, new LoraConfig(4, Seed: 2));
        using var loose = new TrainingSession("loose", model, new LoraConfig(4, Seed: 2));
        plain.ForwardBackward(Batch(), LossFn.CrossEntropy);
        loose.ForwardBackward(Batch(), LossFn.CrossEntropy);

        var norm = plain.OptimStep(Adam(0)).Metrics["grad_norm"];
        Assert.Equal(norm, loose.OptimStep(Adam(norm * 10)).Metrics["grad_norm"]);

        var expected = plain.AdapterWeights();
        Assert.All(loose.AdapterWeights(), entry => Assert.True(allclose(entry.Value, expected[entry.Key], rtol: 0, atol: 0), entry.Key));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_negative_or_non_finite_limit_is_refused_and_changes_nothing(double limit)
    {
        using var session = new TrainingSession("s", model, new LoraConfig(4, Seed: 2));
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var before = session.AdapterWeights();

        var error = Assert.Throws<BatchValidationException>(() => session.OptimStep(Adam(limit)));

        Assert.Equal("grad_clip_norm", error.Violations.Single().Key);
        Assert.All(session.AdapterWeights(), entry => Assert.True(allclose(entry.Value, before[entry.Key], rtol: 0, atol: 0)));
        Assert.Equal(0, session.Info.Step);
    }

    [Fact]
    public void The_clip_keeps_pytorchs_epsilon_which_matters_for_a_gradient_near_the_limit()
    {
        // clip_grad_norm_ multiplies by max_norm / (norm + 1e-6). For a gradient of norm 2e-6 and a
        // limit of 1e-6 that is 1/3 (without the epsilon 1/2, with it subtracted 1). Adam's eps of 1e-6,
        // far above each element of such a gradient, keeps the step proportional to the clipped gradient.
        var sessions = new[] { "probe", "clipped", "scaled" }.Select(name => new TrainingSession(name, model, new LoraConfig(4, Seed: 2))).ToArray();
        try
        {
            foreach (var session in sessions)
            {
                session.ForwardBackward(Batch(), LossFn.CrossEntropy);
                session.OptimStep(new AdamParams(LearningRate: 0.05));
            }

            var (probe, clipped, scaled) = (sessions[0], sessions[1], sessions[2]);
            probe.ForwardBackward(Batch(), LossFn.CrossEntropy);
            const double norm = 2e-6, limit = 1e-6;
            var scale = norm / Norm(probe.AdapterGradients());
            var tiny = new AdamParams(LearningRate: 0.05, Eps: 1e-6);

            clipped.ForwardBackward(Batch((float)scale), LossFn.CrossEntropy);
            scaled.ForwardBackward(Batch((float)(scale * limit / (norm + 1e-6))), LossFn.CrossEntropy);
            var clippedStep = clipped.OptimStep(tiny with { GradClipNorm = limit });
            scaled.OptimStep(tiny);

            Assert.Equal(norm, clippedStep.Metrics["grad_norm"], 1e-4 * norm);
            var reference = scaled.AdapterWeights();
            Assert.All(clipped.AdapterWeights(), entry => Assert.True(allclose(entry.Value, reference[entry.Key], rtol: 1e-3, atol: 1e-7), entry.Key));
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    private static double Norm(Dictionary<string, Tensor> gradients) =>
        Math.Sqrt(gradients.Values.Sum(gradient => gradient.to(ScalarType.Float64).square().sum().item<double>()));
}
