using System;
using System.IO;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Client.Transport.Tinker;
using Mint.Dsl;
using Mint.Engine.Training;
using Mint.Engine.Tests.Support;
using Mint.Protocol.Tinker;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Tinker;

/// <summary>
/// Mint.Server's Tinker routes over a real socket, spoken to as the Python SDK speaks (raw JSON
/// bodies shaped like the goldens) and through the C# transport: futures and their try_again,
/// admission (429), seq_id order, API keys, ownership and typed errors.
/// </summary>
public sealed class TinkerServerTests : IAsyncLifetime
{
    private readonly ModelFolder model = new(seed: 7);
    private RunningServer server = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path, apiKeys: ["tml-alice", "tml-bob"], tinker: true, tinkerPollWait: TimeSpan.FromMilliseconds(300));
        http = new HttpClient { BaseAddress = server.Server.TinkerAddress };
        http.DefaultRequestHeaders.Add("X-API-Key", "tml-alice");
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        model.Dispose();
    }

    [Fact]
    public async Task An_sdk_shaped_session_runs_create_model_forward_backward_and_optim_step_through_futures()
    {
        var config = await Post(TinkerRoutes.ClientConfig, """{"sdk_version": "0.22.0"}""");
        Assert.False(config.GetProperty("pjwt_auth_enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, config.TryGetProperty("grpc_target", out var target) ? target.ValueKind : JsonValueKind.Null);
        var modelName = (await Get(TinkerRoutes.ServerCapabilities)).GetProperty("supported_models")[0].GetProperty("model_name").GetString();

        var session = (await Post(TinkerRoutes.CreateSession, """{"tags": [], "user_metadata": {}, "sdk_version": "0.22.0", "type": "create_session"}""")).GetProperty("session_id").GetString();
        Assert.Equal("session_heartbeat", (await Post(TinkerRoutes.SessionHeartbeat, $$"""{"session_id": "{{session}}", "type": "session_heartbeat"}""")).GetProperty("type").GetString());
        var created = await Result(await Post(TinkerRoutes.CreateModel, $$"""
            {"session_id": "{{session}}", "model_seq_id": 0, "base_model": "{{modelName}}",
             "lora_config": {"rank": 4, "seed": 3, "train_unembed": false, "train_mlp": true, "train_attn": true}, "type": "create_model"}
            """));
        var modelId = created.GetProperty("model_id").GetString()!;

        // The SDK sends a forward_backward's chunks concurrently; here the later request (seq 2, the
        // optimizer step) arrives first and must still run second, after the gradient exists.
        var step = await Post(TinkerRoutes.OptimStep, $$"""{"adam_params": {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.95, "eps": 1e-12, "weight_decay": 0.0, "grad_clip_norm": 0.0}, "model_id": "{{modelId}}", "seq_id": 2, "type": "optim_step"}""");
        var pass = await Post(TinkerRoutes.ForwardBackward, $$$"""
            {"forward_backward_input": {"data": [{"loss_fn_inputs": {"target_tokens": {"data": [5, 9, 13], "dtype": "int64", "shape": [3]}, "weights": {"data": [1.0, 1.0, 0.5], "dtype": "float32", "shape": [3]}},
              "model_input": {"chunks": [{"tokens": [1, 5, 9], "type": "encoded_text"}]}}], "loss_fn": "cross_entropy"}, "model_id": "{{{modelId}}}", "seq_id": 1}
            """);

        var output = await Result(pass);
        var optim = await Result(step);
        Assert.Equal("ArrayRecord", output.GetProperty("loss_fn_output_type").GetString());
        Assert.True(output.GetProperty("metrics").GetProperty("loss:sum").GetDouble() > 0);
        Assert.Equal(3, output.GetProperty("loss_fn_outputs")[0].GetProperty("logprobs").GetProperty("data").GetArrayLength());
        Assert.True(optim.GetProperty("metrics").GetProperty("grad_norm").GetDouble() > 0);
    }

    [Fact]
    public async Task A_waiting_request_answers_try_again_until_the_engine_runs_it()
    {
        var training = await server.TinkerClient("tml-alice").CreateLoraTrainingClientAsync(new LoraConfig(4));
        string requestId;
        await using (await server.Server.Queue.PauseAsync())
        {
            requestId = (await Post(TinkerRoutes.ForwardBackward, ForwardBackwardBody(training.SessionId, seqId: 1))).GetProperty("request_id").GetString()!;
            var waiting = await Post(TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{requestId}}", "allow_metadata_only": true}""");
            Assert.Equal("try_again", waiting.GetProperty("type").GetString());
            Assert.Equal("active", waiting.GetProperty("queue_state").GetString());
            Assert.Equal(requestId, waiting.GetProperty("request_id").GetString());
        }

        var done = await Post(TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{requestId}}", "allow_metadata_only": true}""");
        Assert.True(done.GetProperty("metrics").GetProperty("loss:sum").GetDouble() > 0);

        // The answer stays retrievable (a lost poll can be repeated) — and only by its owner.
        Assert.Equal(done.GetRawText(), (await Post(TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{requestId}}"}""")).GetRawText());
        using var bob = Request(TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{requestId}}"}""", "tml-bob");
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(bob)).StatusCode);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_the_client_retries_until_it_fits()
    {
        // --max-queue 0: while the engine is busy one request may be pending; the next is refused at once.
        await using var busy = await RunningServer.StartAsync(model.Path, maxQueue: 0, tinker: true, tinkerPollWait: TimeSpan.FromMilliseconds(300));
        using var plain = new HttpClient { BaseAddress = busy.Server.TinkerAddress };
        var training = await busy.TinkerClient().CreateLoraTrainingClientAsync(new LoraConfig(4));
        Task<ForwardBackwardResult> retried;
        await using (await busy.Server.Queue.PauseAsync())
        {
            using var accepted = await plain.SendAsync(Request(TinkerRoutes.ForwardBackward, ForwardBackwardBody(training.SessionId, seqId: 1)));
            var requestId = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("request_id").GetString();
            using var refused = await plain.SendAsync(Request(TinkerRoutes.ForwardBackward, ForwardBackwardBody(training.SessionId, seqId: 2)));
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);

            // The accepted one waits for room in the engine queue: try_again, paused_capacity.
            using var poll = await plain.SendAsync(Request(TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{requestId}}"}"""));
            var waiting = JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("try_again", waiting.GetProperty("type").GetString());
            Assert.Equal("paused_capacity", waiting.GetProperty("queue_state").GetString());

            retried = training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
            await Task.Delay(300);
            Assert.False(retried.IsCompleted);
        }

        Assert.True((await retried).Loss > 0);
    }

    [Fact]
    public async Task A_server_given_a_model_name_is_asked_for_it_and_names_the_tokenizer_by_it()
    {
        // --model-name: the SDK's get_tokenizer() loads AutoTokenizer.from_pretrained(model_data.tokenizer_id).
        await using var named = await RunningServer.StartAsync(model.Path, tinker: true, configure: options => options with { ModelName = "Qwen/Qwen3-0.6B" });
        using var plain = new HttpClient { BaseAddress = named.Server.TinkerAddress };
        var capabilities = JsonDocument.Parse(await plain.GetStringAsync(TinkerRoutes.ServerCapabilities.TrimStart('/'))).RootElement;
        Assert.Equal("Qwen/Qwen3-0.6B", capabilities.GetProperty("supported_models")[0].GetProperty("model_name").GetString());

        var training = await named.TinkerClient().CreateLoraTrainingClientAsync(new LoraConfig(4));
        using var info = await plain.SendAsync(Request(TinkerRoutes.GetInfo, $$"""{"model_id": "{{training.SessionId}}", "type": "get_info"}"""));
        var served = JsonDocument.Parse(await info.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Qwen/Qwen3-0.6B", served.GetProperty("model_data").GetProperty("tokenizer_id").GetString());
        Assert.Equal("Qwen/Qwen3-0.6B", served.GetProperty("model_name").GetString());

        await training.SaveStateAsync("named");
        using var weights = await plain.SendAsync(Request(TinkerRoutes.WeightsInfo, $$"""{"tinker_path": "tinker://{{training.SessionId}}/weights/named"}"""));
        Assert.Equal("Qwen/Qwen3-0.6B", JsonDocument.Parse(await weights.Content.ReadAsStringAsync()).RootElement.GetProperty("base_model").GetString());
    }

    [Fact]
    public async Task Errors_arrive_as_the_engines_own_exceptions()
    {
        var client = server.TinkerClient("tml-alice");
        var training = await client.CreateLoraTrainingClientAsync(new LoraConfig(4));

        var invalid = await Assert.ThrowsAsync<BatchValidationException>(() => training.ForwardBackwardAsync([Data.Sft([1, 2, 3], [1, 1])], LossFn.Dro(0.1)));
        Assert.Equal("loss 'dro'", invalid.Operation);
        Assert.Contains(invalid.Violations, violation => violation.DatumIndex == 0 && violation.Key == "advantages");

        await Assert.ThrowsAsync<CheckpointException>(() => training.LoadStateAsync("never-saved"));

        var bobs = server.TinkerClient("tml-bob");
        var missing = await Assert.ThrowsAsync<SessionNotFoundException>(() => bobs.ResumeTrainingClientAsync(training.SessionId));
        Assert.Equal(training.SessionId, missing.SessionId);
        Assert.Empty(await bobs.ListSessionsAsync());

        var stranger = server.TinkerClient("tml-mallory");
        await Assert.ThrowsAsync<UnauthenticatedException>(() => stranger.CreateLoraTrainingClientAsync());
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, TinkerRoutes.CreateSession.TrimStart('/')) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        using var plain = new HttpClient { BaseAddress = server.Server.TinkerAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await plain.SendAsync(anonymous)).StatusCode);
    }

    [Fact]
    public async Task What_the_engine_cannot_honour_is_refused_by_name()
    {
        var session = (await Post(TinkerRoutes.CreateSession, """{"tags": [], "user_metadata": {}, "sdk_version": "0.22.0", "type": "create_session"}""")).GetProperty("session_id").GetString();

        // A LoRA that adapts nothing (the SDK asserts against it; a raw request can still send it), on another base model.
        var failed = await Result(await Post(TinkerRoutes.CreateModel, $$"""{"session_id": "{{session}}", "model_seq_id": 0, "base_model": "elsewhere/model", "lora_config": {"rank": 8, "train_unembed": false, "train_mlp": false, "train_attn": false}, "type": "create_model"}"""));
        Assert.Equal("user", failed.GetProperty("category").GetString());
        var violations = failed.GetProperty("mint_error").GetProperty("violations").EnumerateArray().ToList();
        Assert.Equal(["lora_config", "base_model"], violations.Select(violation => violation.GetProperty("key").GetString()));
        Assert.Equal("has train_unembed, train_mlp and train_attn all false; the adapter would adapt nothing: set at least one to true.", violations[0].GetProperty("reason").GetString());

        using var unknownField = await http.SendAsync(Request(TinkerRoutes.CreateSession, """{"tags": [], "sdk_version": "0.22.0", "colour": "blue"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Contains("colour", await unknownField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sampler_weights_and_checkpoints_are_listed_and_sampled_from_saved_paths()
    {
        var training = await server.TinkerClient("tml-alice").CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
        await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        await training.OptimStepAsync(new AdamParams(LearningRate: 0.5));
        await training.SaveStateAsync("run/a");
        await training.SaveWeightsForSamplerAsync("s1");
        var savedPath = $"tinker://{training.SessionId}/sampler_weights/s1";

        var listed = await Get($"/api/v1/training_runs/{training.SessionId}/checkpoints");
        var paths = listed.GetProperty("checkpoints").EnumerateArray().Select(checkpoint => (checkpoint.GetProperty("tinker_path").GetString(), checkpoint.GetProperty("checkpoint_type").GetString())).ToList();
        Assert.Equal([($"tinker://{training.SessionId}/weights/run/a", "training"), ($"tinker://{training.SessionId}/sampler_weights/s1", "sampler")], paths);

        // A sampler over the saved path samples what the trained model samples.
        var session = (await Post(TinkerRoutes.CreateSession, """{"tags": [], "user_metadata": {}, "sdk_version": "0.22.0", "type": "create_session"}""")).GetProperty("session_id").GetString();
        var sampler = (await Post(TinkerRoutes.CreateSamplingSession, $$"""{"session_id": "{{session}}", "sampling_session_seq_id": 0, "model_path": "{{savedPath}}", "type": "create_sampling_session"}""")).GetProperty("sampling_session_id").GetString();
        const string Params = """{"max_tokens": 5, "seed": 4, "temperature": 1.0, "top_k": -1, "top_p": 1.0}""";
        var sampled = await Result(await Post(TinkerRoutes.ASample, $$"""{"num_samples": 2, "prompt": {"chunks": [{"tokens": [1, 2], "type": "encoded_text"}]}, "sampling_params": {{Params}}, "sampling_session_id": "{{sampler}}", "seq_id": 0, "prompt_logprobs": false, "topk_prompt_logprobs": 0, "type": "sample"}"""));
        var expected = await training.CreateSamplingClient().SampleAsync(ModelInput.FromInts([1, 2]), 2, new SamplingParams { MaxTokens = 5, Seed = 4 });
        Assert.Equal(expected.Sequences.Select(sequence => sequence.Tokens.ToList()), sampled.GetProperty("sequences").EnumerateArray().Select(sequence => sequence.GetProperty("tokens").EnumerateArray().Select(token => token.GetInt32()).ToList()));
        // Sampler weights are a peft adapter (what gRPC's SaveWeightsForSampler writes), equal to the session's adapters.
        var folder = Directory.GetDirectories(server.CheckpointRoot, "s1", SearchOption.AllDirectories).Single();
        Assert.True(File.Exists(Path.Combine(folder, "adapter_config.json")), "sampler weights should be saved in peft's layout");
        var exported = server.Server.Engine.GetSession(training.SessionId).ExportWeights();
        var onDisk = Mint.Engine.Adapters.PeftAdapterFolder.Read(folder);
        Assert.All(exported.Tensors, entry => Assert.Equal(entry.Value.ToSingles(), onDisk.Tensors[entry.Key].ToSingles()));
    }

    [Fact]
    public async Task A_sampler_and_a_run_are_described_by_id_as_the_sdks_get_sampler_and_get_training_run_read_them()
    {
        var training = await server.TinkerClient("tml-alice").CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
        await training.SaveWeightsForSamplerAsync("described");
        var savedPath = $"tinker://{training.SessionId}/sampler_weights/described";
        var modelName = server.Server.Engine.Model.Name;
        var session = (await Post(TinkerRoutes.CreateSession, """{"tags": [], "user_metadata": {}, "sdk_version": "0.22.0", "type": "create_session"}""")).GetProperty("session_id").GetString();

        // SamplingClient.get_base_model()/get_tokenizer(): GET samplers/<id>, for a sampler from a path and one from the base model.
        var fromPath = (await Post(TinkerRoutes.CreateSamplingSession, $$"""{"session_id": "{{session}}", "sampling_session_seq_id": 0, "model_path": "{{savedPath}}", "type": "create_sampling_session"}""")).GetProperty("sampling_session_id").GetString();
        var described = await Get($"/api/v1/samplers/{fromPath}");
        Assert.Equal(fromPath, described.GetProperty("sampler_id").GetString());
        Assert.Equal(modelName, described.GetProperty("base_model").GetString());
        Assert.Equal(savedPath, described.GetProperty("model_path").GetString());
        var fromBase = (await Post(TinkerRoutes.CreateSamplingSession, $$"""{"session_id": "{{session}}", "sampling_session_seq_id": 1, "base_model": "{{modelName}}", "type": "create_sampling_session"}""")).GetProperty("sampling_session_id").GetString();
        Assert.False((await Get($"/api/v1/samplers/{fromBase}")).TryGetProperty("model_path", out _));

        // RestClient.get_training_run(id) (and get_training_run_by_tinker_path, which parses the id out of the path).
        var run = await Get($"/api/v1/training_runs/{training.SessionId}?access_scope=owned");
        Assert.Equal(training.SessionId, run.GetProperty("training_run_id").GetString());
        Assert.Equal(modelName, run.GetProperty("base_model").GetString());
        Assert.True(run.GetProperty("is_lora").GetBoolean());
        Assert.Equal(4, run.GetProperty("lora_rank").GetInt32());

        // Unknown ids and another key's are not found, as everywhere else.
        foreach (var (route, key) in new[] { ("/api/v1/samplers/sampler-none", "tml-alice"), ($"/api/v1/samplers/{fromPath}", "tml-bob"), ("/api/v1/training_runs/none", "tml-alice"), ($"/api/v1/training_runs/{training.SessionId}", "tml-bob") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, route.TrimStart('/'));
            request.Headers.Add("X-API-Key", key);
            using var other = new HttpClient { BaseAddress = server.Server.TinkerAddress };
            using var refused = await other.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }
    }

    [Fact]
    public async Task Checkpoints_nested_in_others_are_listed_on_both_list_routes_and_deleted_by_id()
    {
        var training = await server.TinkerClient("tml-alice").CreateLoraTrainingClientAsync(new LoraConfig(4, Seed: 2));
        await training.SaveStateAsync("nest");
        await training.SaveStateAsync("nest/inner");
        await training.SaveWeightsForSamplerAsync("gone");

        var run = training.SessionId;
        string[] all = [$"tinker://{run}/weights/nest", $"tinker://{run}/weights/nest/inner", $"tinker://{run}/sampler_weights/gone"];
        Assert.Equal(all.Order(StringComparer.Ordinal), (await ListedPaths($"/api/v1/training_runs/{run}/checkpoints")).Order(StringComparer.Ordinal));
        Assert.Equal(all.Order(StringComparer.Ordinal), (await ListedPaths($"/api/v1/models/{run}/checkpoints")).Order(StringComparer.Ordinal));

        // Through the client (a full path), then raw as the Python SDK's delete_checkpoint sends it.
        await server.TinkerClient("tml-alice").DeleteCheckpointAsync($"tinker://{run}/sampler_weights/gone");

        using (var deleted = await http.DeleteAsync($"api/v1/training_runs/{run}/checkpoints/weights/nest"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // The nested checkpoint outlives its container; a second delete and a malformed id are refused.
        Assert.Equal([$"tinker://{run}/weights/nest/inner"], await ListedPaths($"/api/v1/training_runs/{run}/checkpoints"));
        using (var again = await http.DeleteAsync($"api/v1/training_runs/{run}/checkpoints/sampler_weights/gone"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using var malformed = await http.DeleteAsync($"api/v1/training_runs/{run}/checkpoints/other/x");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("checkpoint_id", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<List<string?>> ListedPaths(string route) =>
        (await Get(route)).GetProperty("checkpoints").EnumerateArray().Select(checkpoint => checkpoint.GetProperty("tinker_path").GetString()).ToList();

    private static string ForwardBackwardBody(string modelId, long seqId) => $$$"""
        {"forward_backward_input": {"data": [{"loss_fn_inputs": {"target_tokens": {"data": [5, 9], "dtype": "int64", "shape": [2]}, "weights": {"data": [1.0, 1.0], "dtype": "float32", "shape": [2]}},
          "model_input": {"chunks": [{"tokens": [1, 5], "type": "encoded_text"}]}}], "loss_fn": "cross_entropy"}, "model_id": "{{{modelId}}}", "seq_id": {{{seqId}}}}
        """;

    private static HttpRequestMessage Request(string route, string json, string? key = null) => SdkShapedHttp.Request(route, json, key);

    private Task<JsonElement> Post(string route, string json) => SdkShapedHttp.Post(http, route, json);

    private async Task<JsonElement> Get(string route)
    {
        var body = await http.GetStringAsync(route.TrimStart('/'));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls a future as the SDK does until it is no longer try_again.</summary>
    private Task<JsonElement> Result(JsonElement future) => SdkShapedHttp.Result(http, future);
}
