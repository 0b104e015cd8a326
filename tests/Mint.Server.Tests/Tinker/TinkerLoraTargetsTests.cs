using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Protocol.Tinker;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Tinker;

/// <summary>
/// The Python SDK's default LoRA (rank 32, attention, MLP and unembedding all trained) against a real
/// Mint.Server: its create_model request is accepted as sent, and a training loop with those targets
/// gives the embedded engine's numbers bit for bit over Tinker's HTTP routes and over gRPC.
/// </summary>
public sealed class TinkerLoraTargetsTests : IAsyncLifetime
{
    /// <summary>The SDK's default rank: every projection of this model is at least this wide (key/value: 2 heads × 16).</summary>
    private const int SdkDefaultRank = 32;

    private static readonly LoraConfig SdkDefaults = new(SdkDefaultRank, Seed: 3) { TrainUnembed = true };

    private readonly ModelFolder model = new(TinyModel.Config() with { HiddenSize = 64, NumAttentionHeads = 4, NumKeyValueHeads = 2 }, seed: 12);
    private RunningServer server = null!;
    private EmbeddedReference embedded = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path, tinker: true);
        embedded = new EmbeddedReference(model.Path);
        http = new HttpClient { BaseAddress = server.Server.TinkerAddress };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        await embedded.DisposeAsync();
        model.Dispose();
    }

    [Fact]
    public async Task The_sdks_default_create_model_request_is_accepted_and_adapts_every_target()
    {
        var session = (await SdkShapedHttp.Post(http, TinkerRoutes.CreateSession, """{"tags": [], "user_metadata": {}, "sdk_version": "0.22.0", "type": "create_session"}""")).GetProperty("session_id").GetString();
        var golden = File.ReadAllText(Path.Combine(System.AppContext.BaseDirectory, "Tinker", "Goldens", "create_model_sdk_defaults.request.json"))
            .Replace("\"session-1\"", $"\"{session}\"", System.StringComparison.Ordinal)
            .Replace("\"tiny\"", $"\"{server.Server.Engine.Model.Name}\"", System.StringComparison.Ordinal);

        var created = await SdkShapedHttp.Result(http, await SdkShapedHttp.Post(http, TinkerRoutes.CreateModel, golden));
        var modelId = created.GetProperty("model_id").GetString()!;
        var info = await SdkShapedHttp.Post(http, TinkerRoutes.GetInfo, $$"""{"model_id": "{{modelId}}", "type": "get_info"}""");

        Assert.Equal(SdkDefaultRank, info.GetProperty("lora_rank").GetInt32());
        Assert.True(info.GetProperty("mint_train_attn").GetBoolean() && info.GetProperty("mint_train_mlp").GetBoolean() && info.GetProperty("mint_train_unembed").GetBoolean());
        var weights = server.Server.Engine.GetSession(modelId).AdapterWeights();
        Assert.Equal([(long)server.Server.Engine.Model.Config.VocabSize, SdkDefaultRank], weights["lm_head.lora_B.weight"].shape);
        Assert.Equal([SdkDefaultRank, 64L], weights["lm_head.lora_A.weight"].shape);
        Assert.Contains("model.layers.1.mlp.down_proj.lora_A.weight", weights.Keys);
        Assert.Contains("model.layers.1.self_attn.k_proj.lora_A.weight", weights.Keys);
    }

    [Theory]
    [InlineData("tinker")]
    [InlineData("grpc")]
    public async Task A_loop_with_the_sdks_default_targets_equals_the_embedded_engine(string transport)
    {
        var client = transport == "tinker" ? server.TinkerClient() : server.Client();
        var remote = await client.CreateLoraTrainingClientAsync(SdkDefaults);
        var local = await embedded.Client.CreateLoraTrainingClientAsync(SdkDefaults);
        var prompt = ModelInput.FromInts([1, 2, 3]);
        var parameters = new SamplingParams { MaxTokens = 6, Temperature = 0.9, Seed = 4 };

        var expected = await TrainingRuns.SftAsync(local, steps: 3);
        var actual = await TrainingRuns.SftAsync(remote, steps: 3);

        Assert.Equal(expected, actual);
        Assert.True(actual[^1] != expected[0] && actual[3 * (1 + 11 + 3)] < actual[0], "the loss should fall over the loop");
        Assert.Equal(await local.GetInfoAsync(), await remote.GetInfoAsync());
        Assert.Equal(SdkDefaults, (await remote.GetInfoAsync()).Lora);
        Assert.NotEqual(0f, server.Server.Engine.GetSession(remote.SessionId).AdapterWeights()["lm_head.lora_B.weight"].abs().max().item<float>());
        Assert.Equal(
            await local.CreateSamplingClient().SampleAsync(prompt, 3, parameters),
            await remote.CreateSamplingClient().SampleAsync(prompt, 3, parameters),
            SampleComparer.Instance);

        // A run restarted from the saved state (the SDK's create_training_client_from_state_with_optimizer)
        // gets the same targets from weights_info and continues exactly.
        await remote.SaveStateAsync($"{transport}/targets");
        var continued = await TrainingRuns.SftAsync(remote, steps: 1);
        var saved = transport == "tinker" ? $"tinker://{remote.SessionId}/weights/{transport}/targets" : $"{transport}/targets";
        var resumed = await client.CreateTrainingClientFromStateAsync(saved, withOptimizer: true);
        var resumedLora = (await resumed.GetInfoAsync()).Lora;
        Assert.Equal((SdkDefaultRank, true, true, true), (resumedLora.Rank, resumedLora.TrainAttention, resumedLora.TrainMlp, resumedLora.TrainUnembed));
        Assert.Equal(continued, await TrainingRuns.SftAsync(resumed, steps: 1));
    }

    [Theory]
    [InlineData("tinker")]
    [InlineData("grpc")]
    [InlineData("embedded")]
    public async Task A_lora_that_adapts_nothing_is_refused_alike_over_every_transport(string transport)
    {
        var client = transport switch { "tinker" => server.TinkerClient(), "grpc" => server.Client(), _ => embedded.Client };
        var sessions = server.Server.Engine.SessionIds.Count;

        var error = await Assert.ThrowsAsync<BatchValidationException>(() =>
            client.CreateLoraTrainingClientAsync(new LoraConfig(4) { TrainAttention = false, TrainMlp = false }));

        Assert.Equal(LoraConfig.Operation, error.Operation);
        Assert.Equal([LoraConfig.TargetsKey], error.Violations.Select(violation => violation.Key));
        Assert.Equal(sessions, server.Server.Engine.SessionIds.Count);
        Assert.Empty(embedded.Engine.SessionIds);
    }
}
