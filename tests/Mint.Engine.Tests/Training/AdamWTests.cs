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

/// <summary>
/// The optimizer against closed-form AdamW computed in the test (<see cref="ClosedFormAdamW"/>):
/// bias correction, decoupled weight decay, epsilon and the reported gradient norm, over three steps
/// so the moments carry from one step to the next.
/// </summary>
public sealed class AdamWTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load();

    public void Dispose() => model.Dispose();

    private static List<Datum> Batch() =>
    [
        Data.Sft([1, 5, 9, 13, 17], [0, 1, 1, 0.5f]),
        Data.Sft([2, 4, 6], [1, 1]),
        Data.Sft([40, 3, 3, 8, 20, 11], [1, 1, 0, 1, 2]),
    ];

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    public void Three_steps_equal_closed_form_adamw(double weightDecay)
    {
        using var session = new TrainingSession("adamw", model, new LoraConfig(Rank: 4, Seed: 11));
        var reference = new ClosedFormAdamW();
        // The learning rate changes from step to step; betas and eps differ from the defaults so a
        // step that ignored them would show.
        double[] learningRates = [1e-2, 3e-2, 5e-3];

        for (var step = 0; step < 3; step++)
        {
            var hyper = new AdamParams(learningRates[step], Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: weightDecay);
            session.ForwardBackward(Batch(), LossFn.CrossEntropy);
            var before = Doubles(session.AdapterWeights());
            var gradients = Doubles(session.AdapterGradients());

            var result = session.OptimStep(hyper);

            var expected = reference.Step(before, gradients, hyper);
            var actual = Doubles(session.AdapterWeights());
            Assert.Equal(step + 1, result.Step);
            Assert.Equal(ClosedFormAdamW.Norm(gradients), result.Metrics["grad_norm"], 1e-6 * ClosedFormAdamW.Norm(gradients));
            AssertClose(expected, actual, before, $"step {step + 1}");
        }
    }

    [Fact]
    public void Weight_decay_shrinks_weights_that_get_no_gradient()
    {
        // At the first step B is zero, so A gets no gradient: Adam moves nothing and only the
        // decoupled decay acts, θ·(1 − lr·λ) exactly.
        using var session = new TrainingSession("decay", model, new LoraConfig(Rank: 4, Seed: 11));
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var name = "model.layers.0.self_attn.q_proj.lora_A.weight";
        var before = Doubles(session.AdapterWeights())[name];
        Assert.All(Doubles(session.AdapterGradients())[name], gradient => Assert.Equal(0, gradient));

        session.OptimStep(new AdamParams(LearningRate: 0.05, WeightDecay: 0.5));

        var after = Doubles(session.AdapterWeights())[name];
        for (var i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i] * (1 - (0.05 * 0.5)), after[i], 1e-7);
        }
    }

    private static Dictionary<string, double[]> Doubles(Dictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(entry => entry.Key, entry => entry.Value.to(ScalarType.Float64).data<double>().ToArray());

    private static void AssertClose(
        Dictionary<string, double[]> expected,
        Dictionary<string, double[]> actual,
        Dictionary<string, double[]> before,
        string when)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var moved = 0;
        foreach (var (name, values) in expected)
        {
            for (var i = 0; i < values.Length; i++)
            {
                // float32 weights of size ~0.2 carry ~1e-8 of rounding; an update is ~1e-2.
                Assert.True(Math.Abs(values[i] - actual[name][i]) <= 1e-6, $"{when}: {name}[{i}] is {actual[name][i]}, closed-form AdamW gives {values[i]}");
                moved += values[i] != before[name][i] ? 1 : 0;
            }
        }

        Assert.True(moved > 0, $"{when}: the reference moved no weight, so the comparison proves nothing");
    }
}
