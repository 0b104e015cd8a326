using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Health.V1;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Tests.Support;
using Mint.Protocol.Tinker;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Tinker;

/// <summary>
/// #12's limits on the Tinker HTTP port, over a real loopback socket and in raw JSON: per-key
/// sessions, bounded error answers, body and header sizes, ids, seq_ids, sampling sizes and sparse
/// tensors. Each refusal names what it refuses, the server keeps serving, and the model is unchanged.
/// </summary>
public sealed class TinkerLimitTests : IAsyncLifetime
{
    private const string Key = "tml-alice";
    private const int MaxBodyBytes = 24 * 1024 * 1024;

    private readonly ModelFolder model = new(seed: 12);
    private RunningServer server = null!;
    private TinkerHttp tinker = null!;
    private string session = null!;
    private string modelId = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path, apiKeys: [Key], tinker: true, tinkerPollWait: TimeSpan.FromMilliseconds(300), configure: options => options with
        {
            MaxSessionsPerKey = 2,
            MaxMessageBytes = MaxBodyBytes,
            TinkerSeqGapTimeout = TimeSpan.FromMilliseconds(300),
            Limits = new EngineLimits { MaxSessions = 6, MaxBatchSize = 300_000, MaxNumSamples = 4, MaxSampleTokens = 8 },
        });
        tinker = new TinkerHttp(server.Server.TinkerAddress!, Key);
        session = await tinker.CreateSessionAsync();
        modelId = (await tinker.Result(await tinker.Post(TinkerRoutes.CreateModel, TinkerHttp.CreateModelBody(session, ModelName)))).GetProperty("model_id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        tinker.Dispose();
        await server.DisposeAsync();
        model.Dispose();
    }

    private string ModelName => server.Server.Engine.Model.Name;

    [Fact]
    public async Task Create_model_past_the_per_key_session_limit_fails_as_a_user_error_the_sdk_does_not_retry_and_creates_nothing()
    {
        // gRPC and HTTP count together: the key holds the HTTP model and now a gRPC session (limit 2).
        var grpcSession = await server.Client(Key, RetryPolicy.None).Transport.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);
        var before = server.Server.Engine.SessionIds;

        var failed = await tinker.Result(await tinker.Post(TinkerRoutes.CreateModel, TinkerHttp.CreateModelBody(session, ModelName)));

        // The SDK raises a future's {"error", "category": "user"} as RequestFailedError at once (no retry).
        Assert.Equal("user", failed.GetProperty("category").GetString());
        Assert.Equal("session_limit", failed.GetProperty("mint_error").GetProperty("kind").GetString());
        Assert.Contains("max_sessions_per_key", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, server.Server.Engine.SessionIds);

        // The C# client gets the engine's own exception, as over gRPC.
        await Assert.ThrowsAsync<SessionLimitException>(() => server.TinkerClient(Key).CreateLoraTrainingClientAsync(new LoraConfig(4)));

        // Closing one makes room again.
        await server.Client(Key, RetryPolicy.None).Transport.CloseSessionAsync(grpcSession, CancellationToken.None);
        var created = await tinker.Result(await tinker.Post(TinkerRoutes.CreateModel, TinkerHttp.CreateModelBody(session, ModelName)));
        Assert.StartsWith("session-", created.GetProperty("model_id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sampling_session_past_the_servers_session_limit_is_refused_with_400_naming_it_not_500()
    {
        // Samplers are engine sessions too: with 6 over all keys, the sixth sampler finds the engine full
        // (1 model + 5 samplers). 400, not 429 or 5xx, because the SDK retries those.
        var statuses = new HttpStatusCode[6];
        string body = string.Empty;
        for (var index = 0; index < statuses.Length; index++)
        {
            (statuses[index], body) = await tinker.SendAsync(SdkShapedHttp.Request(TinkerRoutes.CreateSamplingSession,
                $$"""{"session_id": "{{session}}", "sampling_session_seq_id": {{index}}, "base_model": "{{ModelName}}", "type": "create_sampling_session"}"""));
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Append(HttpStatusCode.BadRequest), statuses);
        using var refusal = JsonDocument.Parse(body);
        Assert.Equal("session_limit", refusal.RootElement.GetProperty("mint_error").GetProperty("kind").GetString());
        Assert.Contains("max_sessions", refusal.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(6, server.Server.Engine.SessionIds.Count);
    }

    [Fact]
    public async Task A_batch_of_200k_empty_datums_gets_a_bounded_answer_with_the_true_count()
    {
        const int Datums = 200_000;

        // Datums the codec cannot read (an image chunk): one violation each.
        var unreadable = await ForwardBackwardAnswer(string.Join(", ", Enumerable.Repeat("""{"loss_fn_inputs": {}, "model_input": {"chunks": [{"type": "image"}]}}""", Datums)));
        AssertBounded(unreadable, Datums);

        // Empty but readable datums reach the contract check: the same count as over gRPC, where it is already bounded.
        var empty = Enumerable.Range(0, Datums).Select(_ => new Datum(ModelInput.FromInts([]), new System.Collections.Generic.Dictionary<string, TensorData>())).ToList();
        var overGrpc = await Assert.ThrowsAsync<BatchValidationException>(() =>
            server.Client(Key, RetryPolicy.None).Transport.ForwardBackwardAsync(modelId, empty, LossFn.CrossEntropy, CancellationToken.None));
        Assert.True(overGrpc.TotalCount >= Datums, $"{overGrpc.TotalCount}");
        var contract = await ForwardBackwardAnswer(string.Join(", ", Enumerable.Repeat("""{"loss_fn_inputs": {}, "model_input": {"chunks": []}}""", Datums)));
        AssertBounded(contract, overGrpc.TotalCount);

        // The C# client rebuilds the report with its count.
        var overTinker = server.TinkerClient(Key).Transport;
        var tinkerModel = await overTinker.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);
        var overHttp = await Assert.ThrowsAsync<BatchValidationException>(() => overTinker.ForwardBackwardAsync(tinkerModel, empty, LossFn.CrossEntropy, CancellationToken.None));
        Assert.Equal(overGrpc.TotalCount, overHttp.TotalCount);
        Assert.Equal(BatchValidationException.MaxListed, overHttp.Violations.Count);

        static void AssertBounded(string answer, int total)
        {
            Assert.True(answer.Length < 64 * 1024, $"the answer is {answer.Length} characters");
            using var document = JsonDocument.Parse(answer);
            var error = document.RootElement.GetProperty("mint_error");
            Assert.Equal("user", document.RootElement.GetProperty("category").GetString());
            Assert.Equal(total, error.GetProperty("total_violations").GetInt32());
            Assert.Equal(BatchValidationException.MaxListed, error.GetProperty("violations").GetArrayLength());
            Assert.Contains($"({total} problems; the first 100 follow)", document.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Violation_keys_and_reasons_of_any_length_come_back_cut()
    {
        var key = new string('k', 1_000_000);
        var answer = await ForwardBackwardAnswer($$$"""{"loss_fn_inputs": {"{{{key}}}": {"data": [1], "dtype": "bogus"}}, "model_input": {"chunks": [{"tokens": [1], "type": "encoded_text"}]}}""");

        Assert.True(answer.Length < 20 * 1024, $"the answer is {answer.Length} characters");
        using var document = JsonDocument.Parse(answer);
        var violation = document.RootElement.GetProperty("mint_error").GetProperty("violations")[0];
        Assert.StartsWith("kkkk", violation.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Contains("dtype 'bogus'", violation.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_message_limit_is_refused_with_413_and_changes_nothing()
    {
        var live = server.Server.Engine.GetSession(modelId);
        var (weights, step) = (live.AdapterWeights(), live.Info.Step);
        var padding = new string(' ', MaxBodyBytes);
        var oversized = Encoding.UTF8.GetBytes(ForwardBackwardBody(modelId, """{"loss_fn_inputs": {}, "model_input": {"chunks": []}}""").Replace("{", "{" + padding, StringComparison.Ordinal));
        var head = $"POST {TinkerRoutes.ForwardBackward} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {Key}\r\nContent-Type: application/json\r\n";

        // Declared up front (refused before a byte of it is read) and streamed (refused at the limit).
        var (declared, declaredAnswer) = await RawHttp.SendAsync(server.Server.TinkerAddress!, head + $"Content-Length: {oversized.Length}\r\n\r\n", oversized);
        var (chunked, chunkedAnswer) = await RawHttp.SendAsync(server.Server.TinkerAddress!, head + "Transfer-Encoding: chunked\r\n\r\n", RawHttp.Chunked(oversized));

        Assert.Equal(413, declared);
        Assert.Equal(413, chunked);
        Assert.Contains($"larger than {MaxBodyBytes} bytes, the limit max_message_bytes", declaredAnswer, StringComparison.Ordinal);
        Assert.Contains($"larger than {MaxBodyBytes} bytes, the limit max_message_bytes", chunkedAnswer, StringComparison.Ordinal);

        // The C# client asks first (Expect: 100-continue) for a large body, so it gets the refusal as an answer, not a dropped upload.
        var tooLarge = Enumerable.Repeat(new Datum(ModelInput.FromInts(Enumerable.Range(1, 40).ToArray()), new System.Collections.Generic.Dictionary<string, TensorData>()), 200_000).ToList();
        var overTinker = server.TinkerClient(Key).Transport;
        var tinkerModel = await overTinker.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);
        var refused = await Assert.ThrowsAsync<MintServerException>(() => overTinker.ForwardBackwardAsync(tinkerModel, tooLarge, LossFn.CrossEntropy, CancellationToken.None));
        Assert.Contains("max_message_bytes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(step, live.Info.Step);
        Assert.True(SessionSnapshot.Identical(weights, live.AdapterWeights()));
        await AssertServing();
    }

    [Fact]
    public async Task Malformed_bodies_are_refused_with_400_and_a_short_answer()
    {
        string[] bodies =
        [
            """{"session_id": """,
            new string('[', 10_000) + new string(']', 10_000),
            """[{"session_id": "x"}]""",
            """{"session_id": 12}""",
            """{"session_id": null, "type": "session_heartbeat"}""",
            $$"""{"session_id": "x", "{{new string('p', 500_000)}}": 1}""",
            "\u0001\u0002 not json",
            string.Empty,
        ];

        foreach (var body in bodies)
        {
            var (status, answer) = await tinker.SendAsync(SdkShapedHttp.Request(TinkerRoutes.SessionHeartbeat, body));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.True(answer.Length < 4 * 1024, $"{body[..Math.Min(body.Length, 30)]}: the answer is {answer.Length} characters");
        }

        await AssertServing();
    }

    [Fact]
    public async Task Nulls_where_values_belong_are_refused_not_dereferenced()
    {
        // The SDK never sends null (it dumps requests with exclude_none=True): a null for a field that is not optional is a 400.
        (string Route, string Body)[] refused =
        [
            (TinkerRoutes.WeightsInfo, """{"tinker_path": null}"""),
            (TinkerRoutes.RetrieveFuture, """{"request_id": null}"""),
            (TinkerRoutes.OptimStep, $$"""{"adam_params": null, "model_id": "{{modelId}}", "seq_id": 0, "type": "optim_step"}"""),
            (TinkerRoutes.LoadWeights, $$"""{"model_id": "{{modelId}}", "path": null, "optimizer": true, "seq_id": 0, "type": "load_weights"}"""),
        ];
        foreach (var (route, body) in refused)
        {
            var (status, answer) = await tinker.SendAsync(SdkShapedHttp.Request(route, body));
            Assert.True(status == HttpStatusCode.BadRequest, $"{route}: {(int)status} {answer}");
        }

        // A null inside a list is the codec's to name.
        var answerToNullChunk = await ForwardBackwardAnswer("""{"loss_fn_inputs": {}, "model_input": {"chunks": [null]}}""");
        Assert.Contains("chunk 0 is null.", answerToNullChunk, StringComparison.Ordinal);
        await AssertServing();
    }

    [Fact]
    public async Task Ids_longer_than_any_the_server_hands_out_are_refused_by_name_and_never_echoed()
    {
        var id = new string('x', 100_000);
        (string Route, string Body)[] direct =
        [
            (TinkerRoutes.SessionHeartbeat, $$"""{"session_id": "{{id}}", "type": "session_heartbeat"}"""),
            (TinkerRoutes.GetInfo, $$"""{"model_id": "{{id}}", "type": "get_info"}"""),
            (TinkerRoutes.CreateSamplingSession, $$"""{"session_id": "{{id}}", "sampling_session_seq_id": 0, "base_model": "{{ModelName}}", "type": "create_sampling_session"}"""),
            (TinkerRoutes.RetrieveFuture, $$"""{"request_id": "{{id}}", "allow_metadata_only": true}"""),
            (TinkerRoutes.ForwardBackward, ForwardBackwardBody(id, """{"loss_fn_inputs": {}, "model_input": {"chunks": []}}""")),
            (TinkerRoutes.OptimStep, $$"""{"adam_params": {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.95, "eps": 1e-12, "weight_decay": 0.0, "grad_clip_norm": 0.0}, "model_id": "{{id}}", "seq_id": 1, "type": "optim_step"}"""),
        ];
        foreach (var path in new[] { "api/v1/samplers/", "api/v1/training_runs/" })
        {
            var (status, answer) = await tinker.SendAsync(new HttpRequestMessage(HttpMethod.Get, path + new string('x', 4000)));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("4000 characters; ids on this server have at most 128", answer, StringComparison.Ordinal);
        }

        foreach (var (route, body) in direct)
        {
            var (status, answer) = await tinker.SendAsync(SdkShapedHttp.Request(route, body));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("100000 characters; ids on this server have at most 128", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", answer, StringComparison.Ordinal);
        }

        // Requests answered through a future name it there.
        (string Route, string Body)[] viaFuture =
        [
            (TinkerRoutes.CreateModel, TinkerHttp.CreateModelBody(id, ModelName)),
            (TinkerRoutes.ASample, $$"""{"num_samples": 1, "prompt": {"chunks": [{"tokens": [1], "type": "encoded_text"}]}, "sampling_params": {"max_tokens": 2, "top_k": -1}, "sampling_session_id": "{{id}}", "seq_id": 0, "type": "sample"}"""),
        ];
        foreach (var (route, body) in viaFuture)
        {
            var answer = (await tinker.Result(await tinker.Post(route, body))).GetRawText();
            Assert.Contains("100000 characters; ids on this server have at most 128", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", answer, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(server.Logs.Entries, entry => entry.Message.Contains("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", StringComparison.Ordinal));
        await AssertServing();
    }

    [Fact]
    public async Task Headers_over_the_limit_are_refused_and_the_server_keeps_serving()
    {
        using var request = SdkShapedHttp.Request(TinkerRoutes.CreateSession, """{"tags": [], "sdk_version": "0.22.0"}""");
        request.Headers.Add("X-Padding", new string('h', 64 * 1024));
        using var plain = new HttpClient { BaseAddress = server.Server.TinkerAddress };
        using var response = await plain.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await AssertServing();
    }

    [Fact]
    public async Task Seq_ids_that_are_huge_negative_or_leave_gaps_run_and_never_fail_the_server()
    {
        var live = server.Server.Engine.GetSession(modelId);
        var datum = """{"loss_fn_inputs": {"target_tokens": {"data": [5, 9], "dtype": "int64", "shape": [2]}, "weights": {"data": [1.0, 1.0], "dtype": "float32", "shape": [2]}}, "model_input": {"chunks": [{"tokens": [1, 5], "type": "encoded_text"}]}}""";

        // A gap: seq 7 when 1 is expected waits for its predecessors, then runs anyway.
        var gap = await tinker.Post(TinkerRoutes.ForwardBackward, ForwardBackwardBody(modelId, datum, seqId: 7));
        var negative = await tinker.Post(TinkerRoutes.ForwardBackward, ForwardBackwardBody(modelId, datum, seqId: -5));
        var huge = await tinker.Post(TinkerRoutes.ForwardBackward, ForwardBackwardBody(modelId, datum, seqId: long.MaxValue));
        foreach (var future in new[] { negative, gap, huge })
        {
            Assert.True((await tinker.Result(future)).GetProperty("metrics").GetProperty("loss:sum").GetDouble() > 0);
        }

        // After long.MaxValue every later request runs at once, in arrival order; numbers past it are no JSON long.
        var after = await tinker.Result(await tinker.Post(TinkerRoutes.ForwardBackward, ForwardBackwardBody(modelId, datum, seqId: 3)));
        Assert.True(after.GetProperty("metrics").GetProperty("loss:sum").GetDouble() > 0);
        var (status, _) = await tinker.SendAsync(SdkShapedHttp.Request(TinkerRoutes.ForwardBackward, ForwardBackwardBody(modelId, datum).Replace("\"seq_id\": 1", "\"seq_id\": 9223372036854775808", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, live.Info.Step);
        await AssertServing();
    }

    [Fact]
    public async Task Sampling_over_the_num_samples_or_max_tokens_limits_is_refused_by_name()
    {
        var sampler = (await tinker.Post(TinkerRoutes.CreateSamplingSession,
            $$"""{"session_id": "{{session}}", "sampling_session_seq_id": 0, "base_model": "{{ModelName}}", "type": "create_sampling_session"}""")).GetProperty("sampling_session_id").GetString();
        (int Samples, string Params, string Named)[] cases =
        [
            (1_000_000, """{"max_tokens": 2, "top_k": -1}""", "max_num_samples"),
            (int.MaxValue, """{"max_tokens": 2, "top_k": -1}""", "max_num_samples"),
            (1, """{"max_tokens": 2147483647, "top_k": -1}""", "max_sample_tokens"),
            (2, """{"max_tokens": 2, "top_k": -1, "temperature": 1e-308}""", "temperature"),
        ];
        foreach (var (samples, parameters, named) in cases)
        {
            var answer = (await tinker.Result(await tinker.Post(TinkerRoutes.ASample,
                $$"""{"num_samples": {{samples}}, "prompt": {"chunks": [{"tokens": [1, 2], "type": "encoded_text"}]}, "sampling_params": {{parameters}}, "sampling_session_id": "{{sampler}}", "seq_id": 0, "type": "sample"}"""))).GetRawText();
            using var document = JsonDocument.Parse(answer);
            Assert.Equal("user", document.RootElement.GetProperty("category").GetString());
            Assert.True(document.RootElement.GetProperty("error").GetString()!.Contains(named, StringComparison.Ordinal), answer);
        }

        await AssertServing();
    }

    [Fact]
    public async Task Sparse_and_shaped_tensors_that_would_allocate_without_bound_are_refused_by_name()
    {
        const string Tokens = "\"model_input\": {\"chunks\": [{\"tokens\": [1, 5], \"type\": \"encoded_text\"}]}";
        (string Weights, string Reason)[] cases =
        [
            // One value on the wire, 2^30 once dense.
            ("""{"data": [1.0], "dtype": "float32", "shape": [1, 1073741824], "sparse_crow_indices": [0, 1], "sparse_col_indices": [0]}""", "expands to 1073741824 values"),
            ("""{"data": [1.0], "dtype": "float32", "shape": [2, 4], "sparse_crow_indices": [0, 9, 1], "sparse_col_indices": [0]}""", "malformed"),
            ("""{"data": [1.0], "dtype": "float32", "shape": [-1, 4], "sparse_crow_indices": [], "sparse_col_indices": [0]}""", "malformed"),
            ("""{"data": [], "dtype": "float32", "shape": [4294967296, 4294967296]}""", "does not hold the 0 values sent"),
        ];
        foreach (var (weights, reason) in cases)
        {
            var answer = await ForwardBackwardAnswer($$"""{"loss_fn_inputs": {"target_tokens": {"data": [5, 9], "dtype": "int64", "shape": [2]}, "weights": {{weights}}}, {{Tokens}}}""");
            using var document = JsonDocument.Parse(answer);
            Assert.Equal("user", document.RootElement.GetProperty("category").GetString());
            var violation = document.RootElement.GetProperty("mint_error").GetProperty("violations")[0];
            Assert.Equal("weights", violation.GetProperty("key").GetString());
            Assert.Contains(reason, violation.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        await AssertServing();
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_404_and_405()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await tinker.SendAsync(SdkShapedHttp.Request("/api/v1/drop_tables", "{}"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await tinker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/" + new string('r', 4000)))).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await tinker.SendAsync(new HttpRequestMessage(HttpMethod.Get, TinkerRoutes.CreateModel.TrimStart('/')))).Status);
        await AssertServing();
    }

    [Fact]
    public async Task Each_caller_keeps_its_newest_client_sessions_so_create_session_cannot_grow_the_server()
    {
        var first = session;
        string newest = first;
        for (var index = 0; index < Http.TinkerSessions.PerCaller; index++)
        {
            newest = await tinker.CreateSessionAsync();
        }

        var (oldest, _) = await tinker.SendAsync(SdkShapedHttp.Request(TinkerRoutes.SessionHeartbeat, $$"""{"session_id": "{{first}}", "type": "session_heartbeat"}"""));
        var (kept, _) = await tinker.SendAsync(SdkShapedHttp.Request(TinkerRoutes.SessionHeartbeat, $$"""{"session_id": "{{newest}}", "type": "session_heartbeat"}"""));
        Assert.Equal(HttpStatusCode.NotFound, oldest);
        Assert.Equal(HttpStatusCode.OK, kept);
    }

    private static string ForwardBackwardBody(string model, string data, long seqId = 1) =>
        $$"""{"forward_backward_input": {"data": [{{data}}], "loss_fn": "cross_entropy"}, "model_id": "{{model}}", "seq_id": {{seqId}}}""";

    /// <summary>The future's answer to a forward_backward of <paramref name="data"/> on the test's model, as text.</summary>
    private async Task<string> ForwardBackwardAnswer(string data) =>
        (await tinker.Result(await tinker.Post(TinkerRoutes.ForwardBackward, ForwardBackwardBody(modelId, data, seqId: 0)))).GetRawText();

    /// <summary>Both ports still answer, and the model still trains.</summary>
    private async Task AssertServing()
    {
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
        Assert.Equal(HttpStatusCode.OK, (await tinker.SendAsync(new HttpRequestMessage(HttpMethod.Get, TinkerRoutes.Healthz.TrimStart('/')))).Status);
        var datum = """{"loss_fn_inputs": {"target_tokens": {"data": [5, 9], "dtype": "int64", "shape": [2]}, "weights": {"data": [1.0, 1.0], "dtype": "float32", "shape": [2]}}, "model_input": {"chunks": [{"tokens": [1, 5], "type": "encoded_text"}]}}""";
        var pass = await tinker.Result(await tinker.Post(TinkerRoutes.ForwardBackward, ForwardBackwardBody(modelId, datum, seqId: 0)));
        Assert.True(pass.GetProperty("metrics").GetProperty("loss:sum").GetDouble() > 0, pass.GetRawText());
    }
}
