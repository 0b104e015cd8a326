using System.Collections.Generic;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Dsl;
using Mint.Protocol.Tinker;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Transport;

/// <summary>
/// Starting a run from a saved training checkpoint, as the Python SDK's
/// <c>create_training_client_from_state</c> (adapters, fresh optimizer) and
/// <c>…_with_optimizer</c> (bit-for-bit continuation) do: the LoRA config comes from the checkpoint
/// (<c>weights_info</c>), and every transport (in-process, gRPC, Tinker's HTTP) gives the same numbers.
/// </summary>
public sealed class TrainingFromStateTests : IAsyncLifetime
{
    private static readonly LoraConfig Lora = new(4, Seed: 3);

    private readonly ModelFolder model = new(seed: 5);
    private RunningServer server = null!;
    private EmbeddedReference embedded = null!;

    public static TheoryData<string> Transports => new() { "embedded", "grpc", "tinker" };

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

    private ServiceClient Over(string transport) => transport switch
    {
        "embedded" => embedded.Client,
        "grpc" => server.Client(),
        _ => server.TinkerClient(),
    };

    /// <summary>Trains three SFT steps and saves them; returns the name the transport loads them by (over Tinker, the full path).</summary>
    private static async Task<string> SaveTrainedAsync(ServiceClient client, string transport)
    {
        var training = await client.CreateLoraTrainingClientAsync(Lora);
        await TrainingRuns.SftAsync(training, steps: 3);
        await training.SaveStateAsync("run-step-3");
        return transport == "tinker" ? TinkerPaths.Format(training.SessionId, TinkerPaths.Weights, "run-step-3") : "run-step-3";
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Weights_info_names_the_base_model_and_the_lora_config(string transport)
    {
        var client = Over(transport);
        var name = await SaveTrainedAsync(client, transport);

        var info = await client.GetWeightsInfoAsync(name);

        Assert.Equal(server.Server.Engine.Model.Name, info.BaseModel);
        Assert.Equal(Lora.Rank, info.Lora.Rank);
        Assert.Equal(Lora.ResolvedAlpha, info.Lora.ResolvedAlpha);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_run_from_the_weights_restarts_the_optimizer_and_equals_the_embedded_run(string transport)
    {
        var expected = await FromStateAsync(embedded.Client, "embedded", withOptimizer: false);

        var actual = await FromStateAsync(Over(transport), transport, withOptimizer: false);

        Assert.Equal(1, actual[^1]);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_run_from_the_whole_state_continues_the_step_count_and_differs_from_a_fresh_optimizer(string transport)
    {
        var fresh = await FromStateAsync(embedded.Client, "embedded", withOptimizer: false);

        var continued = await FromStateAsync(Over(transport), transport, withOptimizer: true);

        Assert.Equal(4, continued[^1]);
        Assert.Equal(fresh[0], continued[0]); // the same weights, so the same first loss
        Assert.NotEqual(fresh[^2], continued[^2]); // but other moments, so another update
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_missing_checkpoint_is_named_and_leaves_no_session_open(string transport)
    {
        var client = Over(transport);
        var name = transport == "tinker" ? TinkerPaths.Format("model-x", TinkerPaths.Weights, "never-saved") : "never-saved";
        var sessions = transport == "tinker" ? null : await client.ListSessionsAsync();

        var error = await Assert.ThrowsAsync<Mint.Engine.Training.CheckpointException>(() => client.CreateTrainingClientFromStateAsync(name));

        Assert.Contains("never-saved", error.Message);
        if (sessions is not null)
        {
            Assert.Equal(sessions, await client.ListSessionsAsync());
        }
    }

    [Theory]
    [InlineData("grpc")]
    [InlineData("embedded")]
    public async Task A_name_outside_the_checkpoint_folder_is_refused_by_name(string transport)
    {
        var error = await Assert.ThrowsAsync<BatchValidationException>(() => Over(transport).GetWeightsInfoAsync("../escape"));

        Assert.Contains("../escape", error.Message);
    }

    [Fact]
    public async Task Sampler_weights_have_no_weights_info_and_nothing_is_opened()
    {
        var client = server.Client();
        var training = await client.CreateLoraTrainingClientAsync(Lora);
        await training.SaveWeightsForSamplerAsync("sampler-only");
        var sessions = await client.ListSessionsAsync();

        var error = await Assert.ThrowsAsync<Mint.Engine.Training.CheckpointException>(() => client.CreateTrainingClientFromStateAsync("sampler-only"));
        Assert.Contains("sampler-only", error.Message);

        Assert.Equal(sessions, await client.ListSessionsAsync());
    }

    /// <summary>Opens a run from the saved state, then: its first loss, one step's gradient norm, the weights' first log-prob after it, and the step.</summary>
    private static async Task<List<double>> FromStateAsync(ServiceClient client, string transport, bool withOptimizer)
    {
        var name = await SaveTrainedAsync(client, transport);
        var training = await client.CreateTrainingClientFromStateAsync(name, withOptimizer);
        var batch = TrainingRuns.SftBatch();
        var loss = (await training.ForwardBackwardAsync(batch, LossFn.CrossEntropy)).Loss;
        var step = await training.OptimStepAsync(new AdamParams(LearningRate: 1e-2));
        var after = (await training.ForwardAsync(batch)).Logprobs[0].ToDoubles()[1];
        return [loss, step.Metrics["grad_norm"], after, step.Step];
    }
}
