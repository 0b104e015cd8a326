using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Samples.Preference;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Client.Tests;

/// <summary>
/// Multi-target <c>target_tokens [T, K]</c> end to end over the embedded engine: log-probs per
/// candidate, a cross-entropy renormalised over four answer letters checked against the full
/// logits' log-softmax computed here, both custom-loss paths agreeing, and training that learns.
/// </summary>
public sealed class MultiTargetTests : IAsyncLifetime
{
    private readonly EmbeddedService service = new(seed: 4);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await service.DisposeAsync();

    /// <summary>log-softmax of the full logits [T, vocab], in float64, computed apart from the engine's gather.</summary>
    private double[,] FullLogSoftmax(string sessionId, Datum datum)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tokens = tensor(datum.ModelInput.ToInts().Select(token => (long)token).ToArray(), [1, datum.ModelInput.Length]);
        var logits = service.Engine.GetSession(sessionId).Model.Forward(tokens)[0].to(ScalarType.Float64);
        var logprobs = logits.log_softmax(-1);
        var result = new double[logprobs.shape[0], logprobs.shape[1]];
        var values = logprobs.data<double>().ToArray();
        for (var index = 0; index < values.Length; index++)
        {
            result[index / result.GetLength(1), index % result.GetLength(1)] = values[index];
        }

        return result;
    }

    /// <summary>Σ over questions of −log p(correct | one of the four letters), from the full log-softmax.</summary>
    private double IndependentLoss(string sessionId, IReadOnlyList<Datum> questions) => questions.Sum(question =>
    {
        var full = FullLogSoftmax(sessionId, question);
        var last = question.ModelInput.Length - 1;
        var letters = MultipleChoiceBatches.Letters.Select(letter => full[last, letter]).ToArray();
        var normaliser = Math.Log(letters.Sum(Math.Exp));
        return normaliser - letters[MultipleChoiceBatches.Correct(question)];
    });

    [Fact]
    public async Task Forward_gives_one_log_prob_per_candidate_equal_to_the_full_log_softmax()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        var questions = MultipleChoiceBatches.Questions(3);

        var forward = await training.ForwardAsync(questions);

        for (var datum = 0; datum < questions.Count; datum++)
        {
            var length = questions[datum].ModelInput.Length;
            Assert.Equal([length, 4L], forward.Logprobs[datum].Shape);
            var full = FullLogSoftmax(training.SessionId, questions[datum]);
            var values = forward.Logprobs[datum].ToDoubles();
            for (var position = 0; position < length; position++)
            {
                for (var candidate = 0; candidate < 4; candidate++)
                {
                    Assert.Equal(full[position, MultipleChoiceBatches.Letters[candidate]], values[(position * 4) + candidate], 5);
                }
            }
        }
    }

    [Fact]
    public async Task The_renormalised_cross_entropy_equals_the_one_computed_from_the_full_logits()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        var questions = MultipleChoiceBatches.Questions(4, seed: 2);

        var result = await training.ForwardBackwardCustomAsync(questions, MultipleChoiceLosses.AnswerChoiceLoss);

        Assert.Equal(LossExecution.InEngine, result.Execution);
        Assert.Equal(IndependentLoss(training.SessionId, questions), result.Loss, 4);
        Assert.Equal([questions[1].ModelInput.Length, 4L], result.Logprobs(1).Shape);
    }

    [Fact]
    public async Task In_engine_and_two_pass_runs_agree_on_loss_metrics_and_parameter_gradients()
    {
        var inEngine = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 5));
        var twoPass = (await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 5))).WithCustomLossRouting(CustomLossRouting.TwoPass);
        var questions = MultipleChoiceBatches.Questions(5, seed: 3);
        service.Transport.Calls.Clear();

        var one = await inEngine.ForwardBackwardCustomAsync(questions, MultipleChoiceLosses.AnswerChoiceLoss);
        var two = await twoPass.ForwardBackwardCustomAsync(questions, MultipleChoiceLosses.AnswerChoiceLoss);

        // The second pass sends the [T, K] gradient back with the candidate-gradient loss, in the engine's pass.
        Assert.Equal(["forward_backward_in_engine:answer_choice", "forward", "forward_backward_in_engine:candidate_gradient"], service.Transport.Calls);
        Assert.Equal(LossExecution.TwoPass, two.Execution);
        Assert.Equal(one.Loss, two.Loss, 5);
        Assert.Equal(one.Metrics["answer_probability"], two.Metrics["answer_probability"], 5);
        var expected = service.Engine.GetSession(inEngine.SessionId).AdapterGradients();
        var actual = service.Engine.GetSession(twoPass.SessionId).AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-5);
        Assert.All(expected, entry => Assert.True(
            allclose(entry.Value, actual[entry.Key], rtol: 1e-3, atol: 1e-6),
            $"{entry.Key}: max difference {(entry.Value - actual[entry.Key]).abs().max().item<float>()}"));
    }

    [Fact]
    public async Task Training_on_the_renormalised_cross_entropy_learns_the_answers()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(8, Seed: 1));
        var questions = MultipleChoiceBatches.Questions(8, seed: 6);
        var before = IndependentLoss(training.SessionId, questions);

        for (var step = 0; step < 12; step++)
        {
            await training.ForwardBackwardCustomAsync(questions, MultipleChoiceLosses.AnswerChoiceLoss);
            await training.OptimStepAsync(new AdamParams(LearningRate: 2e-2));
        }

        var after = IndependentLoss(training.SessionId, questions);
        Assert.True(after < 0.5 * before, $"loss {before:F4} → {after:F4}: expected it at least halved");
    }

    [Fact]
    public async Task A_builtin_refuses_several_targets_per_position_and_trains_nothing()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        var questions = MultipleChoiceBatches.Questions(2).Select(question => new Datum(question.ModelInput, new Dictionary<string, TensorData>
        {
            ["target_tokens"] = question.LossFnInputs["target_tokens"],
            ["weights"] = question.LossFnInputs["weights"],
        })).ToList();

        var error = await Assert.ThrowsAsync<BatchValidationException>(() => training.ForwardBackwardAsync(questions, LossFn.CrossEntropy));

        Assert.Equal([(0, "target_tokens"), (1, "target_tokens")], error.Violations.Select(violation => (violation.DatumIndex!.Value, violation.Key!)));
        Assert.All(error.Violations, violation => Assert.Contains("4 candidate targets per position", violation.Reason));
        Assert.All(service.Engine.GetSession(training.SessionId).AdapterGradients().Values, gradient => Assert.Equal(0f, gradient.abs().max().item<float>()));
    }
}
