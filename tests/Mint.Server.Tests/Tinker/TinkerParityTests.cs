using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Tinker;

/// <summary>
/// The same training code over Tinker's HTTP protocol (a real Mint.Server, HTTP/1.1 on a loopback
/// socket, futures polled) gives the same numbers as the in-process engine, bit for bit: JSON
/// carries float32 values and double metrics exactly.
/// </summary>
public sealed class TinkerParityTests : IAsyncLifetime
{
    private readonly ModelFolder model = new(seed: 5);
    private RunningServer server = null!;
    private EmbeddedReference embedded = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path, tinker: true);
        embedded = new EmbeddedReference(model.Path);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await embedded.DisposeAsync();
        model.Dispose();
    }

    [Fact]
    public async Task The_server_serves_grpc_and_tinker_http_on_separate_ports()
    {
        Assert.NotNull(server.Server.TinkerAddress);
        Assert.NotEqual(server.Url.Port, server.Server.TinkerAddress!.Port);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
    }

    [Fact]
    public async Task An_sft_loop_over_tinker_http_equals_the_embedded_engine_exactly()
    {
        var lora = new LoraConfig(4, Seed: 3);

        var local = await TrainingRuns.SftAsync(embedded.Client, lora, steps: 4);
        var remote = await TrainingRuns.SftAsync(server.TinkerClient(), lora, steps: 4);

        Assert.Equal((4 * (1 + 11 + 2)) + 11, remote.Count);
        Assert.True(remote[3 * 14] < remote[0], "the loss should fall over the loop");
        Assert.Equal(local, remote);
    }

    [Fact]
    public async Task A_custom_loss_over_tinker_http_takes_two_passes_and_equals_the_embedded_run()
    {
        var remote = await server.TinkerClient().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
        var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));

        var actual = await remote.ForwardBackwardCustomAsync(TrainingRuns.SftBatch(), TestLosses.CustomCrossEntropyLoss);
        var expected = await local.ForwardBackwardCustomAsync(TrainingRuns.SftBatch(), TestLosses.CustomCrossEntropyLoss);

        Assert.Equal(TrainingRuns.Numbers(expected), TrainingRuns.Numbers(actual));
        Assert.Equal(9.5, actual.Metrics["weighted_tokens"], 6);
        var remoteGradients = server.Server.Engine.GetSession(remote.SessionId).AdapterGradients();
        var localGradients = embedded.Engine.GetSession(local.SessionId).AdapterGradients();
        Assert.All(remoteGradients, entry => Assert.True((entry.Value == localGradients[entry.Key]).all().item<bool>(), entry.Key));
        Assert.Equal((await local.OptimStepAsync(new AdamParams(1e-2))).Metrics, (await remote.OptimStepAsync(new AdamParams(1e-2))).Metrics);
    }

    [Fact]
    public async Task Multi_target_batches_are_refused_by_the_tinker_transport_naming_each_datum()
    {
        // Tinker's forward computes cross_entropy beside the log-probs, and built-ins read one target per position.
        var questions = MultipleChoiceBatches.Questions(2, seed: 5);
        var remote = await server.TinkerClient().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));

        var forward = await Assert.ThrowsAsync<BatchValidationException>(() => remote.ForwardAsync(questions));
        var custom = await Assert.ThrowsAsync<BatchValidationException>(() => remote.ForwardBackwardCustomAsync(questions, Samples.Preference.MultipleChoiceLosses.AnswerChoiceLoss));

        Assert.Equal([(0, "target_tokens"), (1, "target_tokens")], forward.Violations.Select(violation => (violation.DatumIndex!.Value, violation.Key!)));
        Assert.Contains("need the embedded or gRPC transport", forward.Violations[0].Reason);
        Assert.Equal(BatchValidationException.ForLoss("answer_choice"), custom.Operation);
        Assert.Equal(forward.Violations, custom.Violations);
        Assert.All(server.Server.Engine.GetSession(remote.SessionId).AdapterGradients().Values, gradient => Assert.Equal(0f, gradient.abs().max().item<float>()));
    }

    [Fact]
    public async Task Rl_losses_with_config_over_tinker_http_equal_the_embedded_engine()
    {
        List<Datum> batch =
        [
            Data.Rl([1, 2, 3], [10, 11, 12], [-1.5f, -2.5f, -0.5f], 1.0f),
            Data.Rl([4, 5], [20, 21], [-3.0f, -1.0f], -0.5f),
        ];
        var client = server.TinkerClient();
        foreach (var loss in new[] { LossFn.Ppo(0.9, 1.1), LossFn.Cispo(), LossFn.Dro(0.2), LossFn.ImportanceSampling })
        {
            var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
            var remote = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));

            Assert.Equal(TrainingRuns.Numbers(await local.ForwardBackwardAsync(batch, loss)), TrainingRuns.Numbers(await remote.ForwardBackwardAsync(batch, loss)));
            Assert.Equal((await local.OptimStepAsync(new AdamParams(1e-2))).Metrics, (await remote.OptimStepAsync(new AdamParams(1e-2))).Metrics);
        }
    }

    [Fact]
    public async Task Seeded_sampling_follows_the_weights_and_equals_the_embedded_engine()
    {
        var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1));
        var remote = await server.TinkerClient().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1));
        var parameters = new SamplingParams { MaxTokens = 6, Temperature = 0.8, TopK = 20, StopTokens = [3], Seed = 11 };
        var prompt = ModelInput.FromInts([1, 2, 3]);

        var before = await remote.CreateSamplingClient().SampleAsync(prompt, 4, parameters);
        Assert.Equal(await local.CreateSamplingClient().SampleAsync(prompt, 4, parameters), before, SampleComparer.Instance);

        // After a step the sampler must see the new weights (a fresh snapshot), exactly as in-process.
        foreach (var training in new[] { local, remote })
        {
            await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
            await training.OptimStepAsync(new AdamParams(LearningRate: 0.5));
        }

        var after = await remote.CreateSamplingClient().SampleAsync(prompt, 4, parameters);
        Assert.Equal(await local.CreateSamplingClient().SampleAsync(prompt, 4, parameters), after, SampleComparer.Instance);
        Assert.NotEqual(before, after, SampleComparer.Instance);
    }

    [Fact]
    public async Task Prompt_and_top_k_prompt_logprobs_over_tinker_http_equal_the_embedded_engine()
    {
        var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1));
        var remote = await server.TinkerClient().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1));
        var parameters = new SamplingParams { MaxTokens = 2, Seed = 3, PromptLogprobs = true, TopKPromptLogprobs = 3 };
        var prompt = ModelInput.FromInts([3, 1, 4, 1, 5]);

        var expected = await local.CreateSamplingClient().SampleAsync(prompt, 2, parameters);
        var actual = await remote.CreateSamplingClient().SampleAsync(prompt, 2, parameters);

        Assert.Equal(expected, actual, SampleComparer.Instance);
        Assert.Equal(5, actual.PromptLogprobs!.Count);
        Assert.Null(actual.PromptLogprobs[0]);
        Assert.Equal(expected.PromptLogprobs, actual.PromptLogprobs);
        Assert.Null(actual.TopKPromptLogprobs![0]);
        Assert.Equal(expected.TopKPromptLogprobs!.Skip(1).SelectMany(top => top!), actual.TopKPromptLogprobs.Skip(1).SelectMany(top => top!));
        Assert.All(actual.TopKPromptLogprobs.Skip(1), top => Assert.Equal(3, top!.Count));

        // Without the options the service sends neither.
        var plain = await remote.CreateSamplingClient().SampleAsync(prompt, 1, new SamplingParams { MaxTokens = 1, Seed = 3 });
        Assert.Null(plain.PromptLogprobs);
        Assert.Null(plain.TopKPromptLogprobs);
    }

    [Fact]
    public async Task Sampling_clients_over_saved_sampler_weights_sample_what_the_trained_model_samples()
    {
        var service = server.TinkerClient();
        var remote = await service.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1));
        var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1));
        foreach (var training in new[] { local, remote })
        {
            await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
            await training.OptimStepAsync(new AdamParams(LearningRate: 0.5));
        }

        var parameters = new SamplingParams { MaxTokens = 5, Seed = 9, Temperature = 0.9 };
        var prompt = ModelInput.FromInts([2, 7, 1]);
        var expected = await local.CreateSamplingClient().SampleAsync(prompt, 3, parameters);

        // By the name this client saved, then by the full path another client would use.
        await using var byName = await remote.SaveWeightsAndGetSamplingClientAsync("tinker/sampler-1");
        await using var byPath = await server.TinkerClient().CreateSamplingClientAsync($"tinker://{remote.SessionId}/sampler_weights/tinker/sampler-1");

        // Training on changes neither: they hold the weights as saved.
        await remote.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        await remote.OptimStepAsync(new AdamParams(LearningRate: 0.5));

        Assert.Equal(expected, await byName.SampleAsync(prompt, 3, parameters), SampleComparer.Instance);
        Assert.Equal(expected, await byPath.SampleAsync(prompt, 3, parameters), SampleComparer.Instance);
        Assert.NotEqual(expected, await remote.CreateSamplingClient().SampleAsync(prompt, 3, parameters), SampleComparer.Instance);
        var unknown = await Assert.ThrowsAsync<System.ArgumentException>(() => server.TinkerClient().CreateSamplingClientAsync("never-saved"));
        Assert.Contains("tinker://", unknown.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_and_load_over_tinker_http_resume_training_exactly()
    {
        var client = server.TinkerClient();
        var first = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 6));
        await TrainingRuns.SftAsync(first, steps: 2);
        await first.SaveStateAsync("tinker/step-2");
        var continued = await TrainingRuns.SftAsync(first, steps: 2);

        var resumed = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 6));
        await resumed.LoadStateAsync("tinker/step-2");
        Assert.Equal(2, (await resumed.GetInfoAsync()).Step);
        Assert.Equal(continued, await TrainingRuns.SftAsync(resumed, steps: 2));

        // The checkpoint is the one gRPC sees under the same name: one store per API key.
        var overGrpc = await server.Client().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 6));
        await overGrpc.LoadStateAsync("tinker/step-2");
        Assert.Equal(continued, await TrainingRuns.SftAsync(overGrpc, steps: 2));
    }

    [Fact]
    public async Task Session_info_listing_and_closing_match_the_other_transports()
    {
        var client = server.TinkerClient();
        var first = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 9));
        var second = await client.CreateLoraTrainingClientAsync();
        var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 9));

        Assert.Equal(await local.GetInfoAsync(), await first.GetInfoAsync());
        Assert.Equal([first.SessionId, second.SessionId], await client.ListSessionsAsync());
        Assert.Equal([first.SessionId, second.SessionId], await server.Client().ListSessionsAsync());

        await second.CloseAsync();
        Assert.Equal([first.SessionId], await client.ListSessionsAsync());
    }
}
