using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Training;

/// <summary>Bad input gets an error naming what is wrong, and leaves weights, gradients and optimizer as they were.</summary>
public sealed class RejectedInputTests : IDisposable
{
    private readonly PretrainedModel model = TinyModel.Load(TinyModel.Config(vocab: 48, context: 16));
    private readonly TrainingSession session;
    private readonly SessionSnapshot snapshot;

    public RejectedInputTests()
    {
        session = new TrainingSession("test", model, new LoraConfig(4, Seed: 2));
        session.ForwardBackward([Data.Sft([1, 2, 3, 4])], LossFn.CrossEntropy);
        session.OptimStep(new AdamParams(1e-2));
        session.ForwardBackward([Data.Sft([5, 6, 7])], LossFn.CrossEntropy);
        snapshot = SessionSnapshot.Of(session);
    }

    public void Dispose()
    {
        session.Dispose();
        model.Dispose();
    }

    private void AssertRejected(Action call, string message)
    {
        var error = Assert.Throws<BatchValidationException>(call);
        Assert.Equal(message, error.Message);
        snapshot.AssertUnchanged(session);
    }

    [Fact]
    public void Token_outside_the_vocabulary()
    {
        AssertRejected(
            () => session.ForwardBackward([Data.Sft([1, 2, 3]), Data.Sft([4, 48, 5])], LossFn.CrossEntropy),
            "Invalid input for loss 'cross_entropy' (2 problems):\n"
            + "  - datum 1, 'model_input': token 48 at position 1 is outside the vocabulary (0–47).\n"
            + "  - datum 1, 'target_tokens': token 48 at position 0 is outside the vocabulary (0–47).");
    }

    [Fact]
    public void Sequence_longer_than_the_context()
    {
        AssertRejected(
            () => session.Forward([Data.Sft(Enumerable.Range(1, 18).ToArray())]),
            "Invalid input for forward (1 problem):\n  - datum 0: 17 tokens exceed the model's context of 16.");
    }

    [Fact]
    public void Mismatched_lengths()
    {
        var datum = Data.Sft([1, 2, 3, 4]);
        var inputs = datum.LossFnInputs.ToDictionary();
        inputs["weights"] = TensorData.FromSingles([1, 1]);

        AssertRejected(
            () => session.ForwardBackward([new Datum(datum.ModelInput, inputs)], LossFn.CrossEntropy),
            "Invalid input for loss 'cross_entropy' (1 problem):\n  - datum 0, 'weights': length is 2 but the model input has 3 tokens.");
    }

    [Fact]
    public void Nan_advantages()
    {
        AssertRejected(
            () => session.ForwardBackward([Data.Rl([1, 2], [3, 4], [-1f, -1f], float.NaN)], LossFn.Ppo()),
            "Invalid input for loss 'ppo' (1 problem):\n  - datum 0, 'advantages': value at position 1 is NaN; values must be finite.");
    }

    [Fact]
    public void Optimizer_step_without_accumulated_gradient()
    {
        session.OptimStep(new AdamParams(1e-2));
        var afterStep = SessionSnapshot.Of(session);

        var error = Assert.Throws<BatchValidationException>(() => session.OptimStep(new AdamParams(1e-2)));

        Assert.Equal("Invalid input for optim_step (1 problem):\n  - batch: no gradient has been accumulated since the last optim_step; call forward_backward first.", error.Message);
        afterStep.AssertUnchanged(session);
    }

    [Fact]
    public void Invalid_adam_parameters()
    {
        AssertRejected(
            () => session.OptimStep(new AdamParams(LearningRate: -1, Beta2: 1)),
            "Invalid input for optim_step (2 problems):\n  - config 'learning_rate': is -1; it must be a positive finite number.\n  - config 'beta2': is 1; it must be in [0, 1).");
    }

    [Fact]
    public void Sampler_asked_for_zero_tokens()
    {
        AssertRejected(
            () => session.Sample(ModelInput.FromInts([1, 2]), 1, new SamplingParams { MaxTokens = 0 }),
            "Invalid input for sample (1 problem):\n  - config 'max_tokens': is 0; ask for at least 1 token.");
    }

    [Fact]
    public void Sampling_past_the_context()
    {
        AssertRejected(
            () => session.Sample(ModelInput.FromInts([1, 2, 3, 4, 5, 6]), 2, new SamplingParams { MaxTokens = 11 }),
            "Invalid input for sample (1 problem):\n  - config 'max_tokens': the prompt (6 tokens) plus 11 new tokens exceed the model's context of 16.");
    }

    [Fact]
    public void Prompt_token_outside_the_vocabulary()
    {
        AssertRejected(
            () => session.Sample(ModelInput.FromInts([1, 2, 60, 3]), 1, new SamplingParams { MaxTokens = 2 }),
            "Invalid input for sample (1 problem):\n  - config 'prompt': token 60 at position 2 is outside the vocabulary (0–47).");
    }

    [Fact]
    public void Empty_batch_is_reported_once()
    {
        AssertRejected(
            () => session.ForwardBackward([], LossFn.CrossEntropy),
            "Invalid input for loss 'cross_entropy' (1 problem):\n  - batch: the batch is empty.");
        AssertRejected(
            () => session.Forward([]),
            "Invalid input for forward (1 problem):\n  - batch: the batch is empty.");
    }

    [Fact]
    public void Forward_of_a_null_datum_or_one_without_targets()
    {
        var datum = Data.Sft([1, 2, 3]);
        var untargeted = new Datum(datum.ModelInput, datum.LossFnInputs.Where(entry => entry.Key != "target_tokens").ToDictionary());

        AssertRejected(
            () => session.Forward([datum, null!]),
            "Invalid input for forward (1 problem):\n  - datum 1: the datum is null.");
        AssertRejected(
            () => session.Forward([untargeted]),
            "Invalid input for forward (1 problem):\n  - datum 0, 'target_tokens': missing; this loss requires a int64 tensor here.");
    }
}
