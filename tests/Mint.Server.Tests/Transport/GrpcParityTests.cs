using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Samples.Preference;
using Mint.Server.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Server.Tests.Transport;

/// <summary>
/// The same training code gives the same numbers, bit for bit, whether the engine runs in-process or
/// behind a real server on a real socket.
/// </summary>
public sealed class GrpcParityTests : IAsyncLifetime
{
    private readonly ModelFolder model = new(seed: 5);
    private RunningServer server = null!;
    private EmbeddedReference embedded = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path);
        embedded = new EmbeddedReference(model.Path);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await embedded.DisposeAsync();
        model.Dispose();
    }

    [Fact]
    public async Task An_sft_loop_over_grpc_equals_the_embedded_engine_exactly()
    {
        var lora = new LoraConfig(4, Seed: 3);

        var local = await TrainingRuns.SftAsync(embedded.Client, lora, steps: 4);
        var remote = await TrainingRuns.SftAsync(server.Client(), lora, steps: 4);

        // Per step: the loss, 11 log-probs, grad_norm and step; then 11 final log-probs.
        Assert.Equal((4 * (1 + 11 + 2)) + 11, remote.Count);
        Assert.True(remote[3 * 14] < remote[0], "the loss should fall over the loop");
        Assert.Equal(local, remote);
    }

    [Fact]
    public async Task A_custom_cross_entropy_over_grpc_matches_the_builtin_and_equals_the_embedded_run()
    {
        var client = server.Client();
        var builtin = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
        var custom = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3));
        // In-process a custom loss runs inside the engine's pass; pin the two-pass path to compare like with like.
        var embeddedCustom = (await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 3))).WithCustomLossRouting(CustomLossRouting.TwoPass);

        var builtinResult = await builtin.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        var customResult = await custom.ForwardBackwardCustomAsync(TrainingRuns.SftBatch(), TestLosses.CustomCrossEntropyLoss);
        var embeddedResult = await embeddedCustom.ForwardBackwardCustomAsync(TrainingRuns.SftBatch(), TestLosses.CustomCrossEntropyLoss);

        // The custom path's second pass reproduces the built-in's parameter gradients on the server.
        var expected = server.Server.Engine.GetSession(builtin.SessionId).AdapterGradients();
        var actual = server.Server.Engine.GetSession(custom.SessionId).AdapterGradients();
        Assert.Contains(expected.Values, gradient => gradient.abs().max().item<float>() > 1e-4);
        Assert.All(expected, entry => Assert.True(allclose(entry.Value, actual[entry.Key], rtol: 1e-4, atol: 1e-6), entry.Key));
        Assert.Equal(builtinResult.Loss, customResult.Loss, 3);
        Assert.Equal(9.5, customResult.Metrics["weighted_tokens"], 6);

        // And over gRPC it is the very same computation as in-process.
        Assert.Equal(TrainingRuns.Numbers(embeddedResult), TrainingRuns.Numbers(customResult));
        var embeddedGradients = embedded.Engine.GetSession(embeddedCustom.SessionId).AdapterGradients();
        Assert.All(actual, entry => Assert.True((entry.Value == embeddedGradients[entry.Key]).all().item<bool>(), entry.Key));
    }

    [Fact]
    public async Task Rl_losses_with_config_over_grpc_equal_the_embedded_engine()
    {
        List<Datum> batch =
        [
            Data.Rl([1, 2, 3], [10, 11, 12], [-1.5f, -2.5f, -0.5f], 1.0f),
            Data.Rl([4, 5], [20, 21], [-3.0f, -1.0f], -0.5f),
        ];
        LossFn[] losses = [LossFn.Ppo(0.9, 1.1), LossFn.Cispo(), LossFn.Dro(0.2), LossFn.ImportanceSampling];

        foreach (var loss in losses)
        {
            var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
            var remote = await server.Client().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));

            var expected = TrainingRuns.Numbers(await local.ForwardBackwardAsync(batch, loss));
            var actual = TrainingRuns.Numbers(await remote.ForwardBackwardAsync(batch, loss));

            Assert.Equal(expected, actual);
            Assert.Equal((await local.OptimStepAsync(new AdamParams(1e-2))).Metrics, (await remote.OptimStepAsync(new AdamParams(1e-2))).Metrics);
        }
    }

    [Fact]
    public async Task Seeded_sampling_over_grpc_equals_the_embedded_engine()
    {
        var local = (await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1))).CreateSamplingClient();
        var remote = (await server.Client().CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 1))).CreateSamplingClient();
        var parameters = new SamplingParams { MaxTokens = 6, Temperature = 0.8, TopK = 20, StopTokens = [3], Seed = 11 };

        var expected = await local.SampleAsync(ModelInput.FromInts([1, 2, 3]), 4, parameters);
        var actual = await remote.SampleAsync(ModelInput.FromInts([1, 2, 3]), 4, parameters);

        Assert.Equal(4, actual.Sequences.Count);
        for (var index = 0; index < 4; index++)
        {
            Assert.Equal(expected.Sequences[index].Tokens, actual.Sequences[index].Tokens);
            Assert.Equal(expected.Sequences[index].Logprobs, actual.Sequences[index].Logprobs);
            Assert.Equal(expected.Sequences[index].StopReason, actual.Sequences[index].StopReason);
        }
    }

    [Fact]
    public async Task Pairwise_preference_training_over_grpc_equals_the_embedded_engine()
    {
        var batch = new List<Datum>();
        for (var pair = 0; pair < 3; pair++)
        {
            int[] prompt = [1 + pair, 40 - pair];
            batch.Add(PreferenceData.Completion(prompt, [10 + (2 * pair), 20 + (2 * pair)]));
            batch.Add(PreferenceData.Completion(prompt, [11 + (2 * pair), 21 + (2 * pair)]));
        }

        async Task<List<double>> Train(ServiceClient client)
        {
            // In-process the method runs inside the engine's pass; over gRPC its lowered graph does.
            var training = await client.CreateLoraTrainingClientAsync(new LoraConfig(8, Seed: 4));
            var trace = new List<double>();
            for (var step = 0; step < 3; step++)
            {
                trace.AddRange(TrainingRuns.Numbers(await training.ForwardBackwardCustomAsync(batch, PreferenceLosses.PairwisePreferenceLoss)));
                trace.Add((await training.OptimStepAsync(new AdamParams(LearningRate: 2e-2))).Metrics["grad_norm"]);
            }

            return trace;
        }

        Assert.Equal(await Train(embedded.Client), await Train(server.Client()));
    }

    [Fact]
    public async Task Session_info_and_listing_match_the_embedded_engine()
    {
        var client = server.Client();
        var first = await client.CreateLoraTrainingClientAsync(new LoraConfig(4, Alpha: 16, Seed: 9));
        var second = await client.CreateLoraTrainingClientAsync();
        var local = await embedded.Client.CreateLoraTrainingClientAsync(new LoraConfig(4, Alpha: 16, Seed: 9));

        Assert.Equal(await local.GetInfoAsync(), await first.GetInfoAsync());
        Assert.Equal([first.SessionId, second.SessionId], await client.ListSessionsAsync());
    }
}
