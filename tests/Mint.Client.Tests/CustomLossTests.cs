using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
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
    public async Task The_custom_path_sends_a_forward_then_one_weighted_cross_entropy_pass()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        service.Transport.Calls.Clear();

        await training.ForwardBackwardCustomAsync(Batch(), TestLosses.CustomCrossEntropyLoss);

        Assert.Equal(["forward", "forward_backward:cross_entropy"], service.Transport.Calls);
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
        Assert.Empty(service.Transport.Calls);
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
