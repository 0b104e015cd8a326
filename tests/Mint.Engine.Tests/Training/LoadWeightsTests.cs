using System;
using System.Collections.Generic;
using System.IO;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Training;

/// <summary>
/// <see cref="TrainingSession.LoadWeights"/> (Tinker's <c>load_state</c>): the adapters come from the
/// checkpoint and the optimizer starts afresh, which the first Adam step after the load shows in
/// closed form: from zero moments, with bias correction, it moves every weight by
/// <c>-lr · g / (|g| + eps)</c>.
/// </summary>
public sealed class LoadWeightsTests : IDisposable
{
    private static readonly AdamParams Adam = new(LearningRate: 1e-3);

    private readonly PretrainedModel model = TinyModel.Load();
    private readonly string folder = Path.Combine(Path.GetTempPath(), "mint-load-weights-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        model.Dispose();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, true);
        }
    }

    private static List<Datum> Batch() =>
    [
        Data.Sft([1, 5, 9, 13, 17], [0, 1, 1, 0.5f]),
        Data.Sft([2, 4, 6], [1, 1]),
    ];

    /// <summary>Three steps of training, saved: a checkpoint with non-zero adapters and moments, at step 3.</summary>
    private Dictionary<string, Tensor> SaveTrainedCheckpoint()
    {
        using var trained = new TrainingSession("trained", model, new LoraConfig(4, Seed: 11));
        for (var step = 0; step < 3; step++)
        {
            trained.ForwardBackward(Batch(), LossFn.CrossEntropy);
            trained.OptimStep(Adam);
        }

        trained.SaveState(folder);
        return trained.AdapterWeights();
    }

    [Fact]
    public void Weights_are_the_checkpoints_and_the_next_step_is_a_fresh_adams_first()
    {
        var saved = SaveTrainedCheckpoint();
        using var session = new TrainingSession("loaded", model, new LoraConfig(4, Seed: 99));
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        session.OptimStep(Adam);

        session.LoadWeights(folder);

        Assert.True(SessionSnapshot.Identical(saved, session.AdapterWeights()));
        Assert.Equal(0, session.Info.Step);
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var gradients = session.AdapterGradients();
        session.OptimStep(Adam);

        Assert.Equal(1, session.Info.Step);
        var after = session.AdapterWeights();
        foreach (var (name, weight) in saved)
        {
            var gradient = gradients[name].to(ScalarType.Float64);
            var expected = weight.to(ScalarType.Float64) - (Adam.LearningRate * gradient / (gradient.abs() + Adam.Eps));
            Assert.True(allclose(after[name].to(ScalarType.Float64), expected, rtol: 1e-5, atol: 1e-8), name);
        }
    }

    [Fact]
    public void Loading_the_whole_state_instead_keeps_the_moments_so_the_closed_form_tells_the_two_apart()
    {
        var saved = SaveTrainedCheckpoint();
        using var session = new TrainingSession("loaded", model, new LoraConfig(4, Seed: 99));

        session.LoadState(folder);
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var gradients = session.AdapterGradients();
        session.OptimStep(Adam);

        Assert.Equal(4, session.Info.Step);
        var after = session.AdapterWeights();
        var name = "model.layers.0.self_attn.q_proj.lora_B.weight";
        var gradient = gradients[name].to(ScalarType.Float64);
        var freshAdam = saved[name].to(ScalarType.Float64) - (Adam.LearningRate * gradient / (gradient.abs() + Adam.Eps));
        Assert.False(allclose(after[name].to(ScalarType.Float64), freshAdam, rtol: 1e-5, atol: 1e-8));
    }

    [Fact]
    public void Accumulated_gradients_are_dropped()
    {
        SaveTrainedCheckpoint();
        using var session = new TrainingSession("loaded", model, new LoraConfig(4, Seed: 99));
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);

        session.LoadWeights(folder);

        Assert.All(session.AdapterGradients().Values, gradient => Assert.Equal(0, gradient.abs().sum().item<float>()));
    }

    [Fact]
    public void A_checkpoint_of_another_rank_is_refused_and_changes_nothing()
    {
        using (var other = new TrainingSession("other", model, new LoraConfig(2, Seed: 11)))
        {
            other.SaveState(folder);
        }

        using var session = new TrainingSession("test", model, new LoraConfig(4, Seed: 11));
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        session.OptimStep(Adam);
        session.ForwardBackward(Batch(), LossFn.CrossEntropy);
        var snapshot = SessionSnapshot.Of(session);

        var error = Assert.Throws<CheckpointException>(() => session.LoadWeights(folder));

        Assert.StartsWith($"Checkpoint {folder} does not fit session test: it holds LoRA rank 2 alpha 2, the session rank 4 alpha 4; model.layers.0.mlp.down_proj.lora_A.weight is [2, 64], expected [4, 64]", error.Message);
        snapshot.AssertUnchanged(session);
    }
}
