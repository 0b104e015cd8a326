using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Training;

/// <summary>Engine operations: semantics, accumulation, optimizer steps and checkpoints.</summary>
public sealed class TrainingSessionTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load();

    public void Dispose() => model.Dispose();

    private TrainingSession Session(int rank = 4) => new("test", model, new LoraConfig(rank, Seed: 11));

    private static List<Datum> Batch() =>
    [
        Data.Sft([1, 5, 9, 13, 17], [0, 1, 1, 0.5f]),
        Data.Sft([2, 4, 6], [1, 1]),
    ];

    [Fact]
    public void Cross_entropy_loss_is_the_weighted_sum_of_the_forward_logprobs()
    {
        using var session = Session();
        var forward = session.Forward(Batch());

        var result = session.ForwardBackward(Batch(), LossFn.CrossEntropy);

        var expected = -Batch().Select((datum, index) => forward.Logprobs[index].ToDoubles()
            .Zip(datum.LossFnInputs["weights"].ToDoubles(), (logprob, weight) => logprob * weight).Sum()).Sum();
        Assert.Equal(expected, result.Loss, 4);
        Assert.Equal(forward.Logprobs[1].ToDoubles(), result.Logprobs(1).ToDoubles());
        Assert.Equal(4, result.Logprobs(0).Count);
    }

    [Fact]
    public void Gradients_accumulate_until_the_optimizer_step_and_are_cleared_by_it()
    {
        using var session = Session();
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var once = session.AdapterGradients();
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var twice = session.AdapterGradients();

        Assert.All(once, entry => Assert.True(allclose(entry.Value * 2, twice[entry.Key], rtol: 1e-5, atol: 1e-7)));
        Assert.Contains(once.Values, gradient => gradient.abs().sum().item<float>() > 0);

        var before = session.AdapterWeights();
        var step = session.OptimStep(new AdamParams(LearningRate: 1e-2));

        Assert.Equal(1, step.Step);
        Assert.True(step.Metrics["grad_norm"] > 0);
        Assert.All(session.AdapterGradients().Values, gradient => Assert.Equal(0, gradient.abs().sum().item<float>()));
        Assert.False(SessionSnapshot.Identical(before, session.AdapterWeights()));
    }

    [Fact]
    public void Only_adapters_train_and_the_base_stays_frozen()
    {
        using var session = Session();
        var baseWeights = model.Weights.Names.ToDictionary(name => name, name => model.Weights[name].clone());

        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        session.OptimStep(new AdamParams(LearningRate: 1e-2));

        Assert.All(baseWeights, entry => Assert.True(allclose(entry.Value, model.Weights[entry.Key], 0, 0), entry.Key));
        Assert.False(model.Weights["model.layers.0.self_attn.q_proj.weight"].requires_grad);
    }

    [Fact]
    public void Training_resumed_from_a_checkpoint_continues_bit_for_bit()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mint-checkpoint-" + Guid.NewGuid().ToString("N"));
        var adam = new AdamParams(LearningRate: 5e-3, WeightDecay: 0.01);
        using var uninterrupted = Session();
        for (var step = 0; step < 3; step++)
        {
            uninterrupted.ForwardBackward(Batch(), LossFn.CrossEntropy);
            uninterrupted.OptimStep(adam);
        }

        uninterrupted.SaveState(folder);
        for (var step = 0; step < 2; step++)
        {
            uninterrupted.ForwardBackward(Batch(), LossFn.CrossEntropy);
            uninterrupted.OptimStep(adam);
        }

        using var resumed = new TrainingSession("resumed", model, new LoraConfig(4, Seed: 99));
        resumed.LoadState(folder);
        Assert.Equal(3, resumed.Info.Step);
        for (var step = 0; step < 2; step++)
        {
            resumed.ForwardBackward(Batch(), LossFn.CrossEntropy);
            resumed.OptimStep(adam);
        }

        Assert.True(SessionSnapshot.Identical(uninterrupted.AdapterWeights(), resumed.AdapterWeights()));
        Assert.Equal(5, resumed.Info.Step);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void A_checkpoint_of_another_rank_is_rejected_and_changes_nothing()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mint-checkpoint-" + Guid.NewGuid().ToString("N"));
        using (var other = Session(rank: 2))
        {
            other.SaveState(folder);
        }

        using var session = Session(rank: 4);
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var snapshot = SessionSnapshot.Of(session);

        var error = Assert.Throws<CheckpointException>(() => session.LoadState(folder));

        Assert.StartsWith($"Checkpoint {folder} does not fit session test: it holds LoRA rank 2 alpha 2, the session rank 4 alpha 4; model.layers.0.mlp.down_proj.lora_A.weight is [2, 64], expected [4, 64]", error.Message);
        snapshot.AssertUnchanged(session);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void Importance_sampling_and_dro_run_inside_the_model_pass()
    {
        using var session = Session();
        var datum = Data.Rl([1, 2, 3], [7, 8], [-3.5f, -4.0f], advantage: 1.5f);
        var logprobs = session.Forward([datum]).Logprobs[0].ToDoubles();

        var importance = session.ForwardBackward([datum], LossFn.ImportanceSampling);
        var dro = session.ForwardBackward([datum], LossFn.Dro(0.2));

        var sampling = datum.LossFnInputs["logprobs"].ToDoubles();
        var advantages = datum.LossFnInputs["advantages"].ToDoubles();
        var expectedImportance = -logprobs.Select((t, i) => Math.Exp(t - sampling[i]) * advantages[i]).Sum();
        var expectedDro = -logprobs.Select((t, i) => (t * advantages[i]) - (0.1 * (t - sampling[i]) * (t - sampling[i]))).Sum();
        Assert.Equal(expectedImportance, importance.Loss, 4);
        Assert.Equal(expectedDro, dro.Loss, 4);
    }
}
