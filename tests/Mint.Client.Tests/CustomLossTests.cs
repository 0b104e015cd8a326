using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Samples.Preference;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Client.Tests;

/// <summary>The client-side custom-loss path over the embedded engine.</summary>
public sealed class CustomLossTests : IAsyncLifetime
{
    private readonly EmbeddedService service = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await service.DisposeAsync();

    private static List<Datum> Batch() =>
    [
        Data.Sft([1, 5, 9, 13, 17], [0, 1, 1, 0.5f]),
        Data.Sft([2, 4, 6], [1, 1]),
        Data.Sft([7, 7, 3, 30, 31, 40], [1, 0, 1, 1, 2]),
    ];

    [Fact]
    public async Task A_custom_cross_entropy_produces_the_builtins_parameter_gradients()
    {
        var builtin = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
        var custom = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));

        var builtinResult = await builtin.ForwardBackwardAsync(Batch(), LossFn.CrossEntropy);
        var customResult = await custom.ForwardBackwardCustomAsync(Batch(), TestLosses.CustomCrossEntropyLoss);

        var expected = service.Engine.GetSession(builtin.SessionId).AdapterGradients();
        var actual = service.Engine.GetSession(custom.SessionId).AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-4);
        Assert.All(expected, entry => Assert.True(
            allclose(entry.Value, actual[entry.Key], rtol: 1e-4, atol: 1e-6),
            $"{entry.Key}: max difference {(entry.Value - actual[entry.Key]).abs().max().item<float>()}"));
        Assert.Equal(builtinResult.Loss, customResult.Loss, 3);
        Assert.Equal(Batch().Sum(datum => datum.LossFnInputs["weights"].ToDoubles().Sum()), customResult.Metrics["weighted_tokens"], 6);
        Assert.Equal(builtinResult.Logprobs(2).ToDoubles(), customResult.Logprobs(2).ToDoubles());
    }

    [Fact]
    public async Task The_two_pass_path_sends_a_forward_then_one_weighted_cross_entropy_pass()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        training = WithRouting(training, CustomLossRouting.TwoPass);
        service.Transport.Calls.Clear();

        var result = await training.ForwardBackwardCustomAsync(Batch(), TestLosses.CustomCrossEntropyLoss);

        Assert.Equal(["forward", "forward_backward:cross_entropy"], service.Transport.Calls);
        Assert.Equal(LossExecution.TwoPass, result.Execution);
    }

    [Fact]
    public async Task In_process_a_custom_loss_runs_inside_the_engines_pass_in_one_call()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        service.Transport.Calls.Clear();

        var result = await training.ForwardBackwardCustomAsync(Batch(), TestLosses.CustomCrossEntropyLoss);

        Assert.Equal(["forward_backward_in_engine:custom_cross_entropy"], service.Transport.Calls);
        Assert.Equal(LossExecution.InEngine, result.Execution);
    }

    [Fact]
    public async Task In_engine_and_two_pass_runs_give_the_same_loss_metrics_logprobs_and_parameter_gradients()
    {
        var inEngine = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 5));
        var twoPass = await service.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 5));
        var pairs = PreferenceBatch();

        var one = await inEngine.ForwardBackwardCustomAsync(pairs, PreferenceLosses.DpoLoss.With(beta: 0.5));
        var two = await WithRouting(twoPass, CustomLossRouting.TwoPass).ForwardBackwardCustomAsync(pairs, PreferenceLosses.DpoLoss.With(beta: 0.5));

        Assert.Equal(LossExecution.InEngine, one.Execution);
        Assert.Equal(LossExecution.TwoPass, two.Execution);
        Assert.Equal(two.Loss, one.Loss, 6);
        Assert.Equal(two.Metrics.Keys, one.Metrics.Keys);
        Assert.All(two.Metrics, metric => Assert.Equal(metric.Value, one.Metrics[metric.Key], 6));
        Assert.Equal(two.Logprobs(3).ToDoubles(), one.Logprobs(3).ToDoubles());
        AssertSameGradients(twoPass.SessionId, inEngine.SessionId);
    }

    [Fact]
    public async Task Forcing_the_in_engine_path_over_a_transport_without_one_names_the_reason_and_sends_nothing()
    {
        await using var bare = new ServiceClient(new ClientSideOnlyTransport(service.Transport));
        var training = WithRouting(await bare.CreateLoraTrainingClientAsync(), CustomLossRouting.InEngine);
        service.Transport.Calls.Clear();

        var error = await Assert.ThrowsAsync<InEngineLossUnavailableException>(() => training.ForwardBackwardCustomAsync(Batch(), TestLosses.CustomCrossEntropyLoss));

        Assert.Contains("ClientSideOnlyTransport runs custom losses only on the client", error.Message);
        Assert.Empty(service.Transport.Calls);
        var auto = await WithRouting(training, CustomLossRouting.Auto).ForwardBackwardCustomAsync(Batch(), TestLosses.CustomCrossEntropyLoss);
        Assert.Equal(LossExecution.TwoPass, auto.Execution);
    }

    [Fact]
    public async Task An_invalid_batch_is_rejected_before_anything_is_sent()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        service.Transport.Calls.Clear();
        var broken = Batch();
        broken[1] = new Datum(broken[1].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = broken[1].LossFnInputs["target_tokens"] });

        var custom = await Assert.ThrowsAsync<BatchValidationException>(() => training.ForwardBackwardCustomAsync(broken, TestLosses.CustomCrossEntropyLoss));
        var builtin = await Assert.ThrowsAsync<BatchValidationException>(() => training.ForwardBackwardAsync(broken, LossFn.CrossEntropy));

        Assert.Equal("datum 1, 'weights': missing; this loss requires a float32 tensor here.", Assert.Single(custom.Violations).ToString());
        Assert.Equal(custom.Violations, builtin.Violations);
        // Only the session's info is read, to add the model-side problems to the report; no batch is sent.
        Assert.All(service.Transport.Calls, call => Assert.Equal("get_info", call));
    }

    private static TrainingClient WithRouting(TrainingClient client, CustomLossRouting routing) =>
        client.WithCustomLossRouting(routing);

    private static List<Datum> PreferenceBatch()
    {
        var batch = new List<Datum>();
        for (var pair = 0; pair < 3; pair++)
        {
            int[] prompt = [1 + pair, 30 - pair, 7];
            var chosen = PreferenceData.Completion(prompt, [10 + pair, 20 + pair, 3]);
            var rejected = PreferenceData.Completion(prompt, [11 + pair, 5]);
            batch.Add(WithReference(chosen, 0.1f * (pair + 1)));
            batch.Add(WithReference(rejected, -0.2f * (pair + 1)));
        }

        return batch;
    }

    private static Datum WithReference(Datum datum, float offset) => new(datum.ModelInput, new Dictionary<string, TensorData>(datum.LossFnInputs)
    {
        ["reference_logprobs"] = TensorData.FromSingles(Enumerable.Range(0, datum.ModelInput.Length).Select(position => -1.5f - offset - (0.01f * position))),
    });

    private void AssertSameGradients(string expectedSession, string actualSession)
    {
        var expected = service.Engine.GetSession(expectedSession).AdapterGradients();
        var actual = service.Engine.GetSession(actualSession).AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-5);
        Assert.All(expected, entry => Assert.True(
            allclose(entry.Value, actual[entry.Key], rtol: 1e-4, atol: 1e-7),
            $"{entry.Key}: max difference {(entry.Value - actual[entry.Key]).abs().max().item<float>()}"));
    }

    [Fact]
    public async Task A_cancelled_call_does_nothing()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => training.ForwardBackwardAsync(Batch(), LossFn.CrossEntropy, cancelled.Token));

        var gradients = service.Engine.GetSession(training.SessionId).AdapterGradients();
        Assert.All(gradients.Values, gradient => Assert.Equal(0, gradient.abs().sum().item<float>()));
    }
}
