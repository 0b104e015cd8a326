using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Mint.Client.Transport;
using Mint.Client.Transport.Tinker;
using Mint.Dsl;
using Mint.Protocol.Tinker;
using Mint.Server.Tests.Support;
using Xunit;
using static Mint.Server.Tests.Support.ScriptedTinkerHandler;

namespace Mint.Server.Tests.Tinker;

/// <summary>
/// The client's side of the future states, against a scripted service (a test HttpMessageHandler:
/// a real Mint.Server never answers 408, 410 or 5xx on demand; its own try_again and 429 are tested
/// in <see cref="TinkerServerTests"/>). Delays are shrunk so the retries are quick.
/// </summary>
public sealed class TinkerFutureStateTests
{
    private const string Future = """{"request_id": "req-1", "model_id": "model-1"}""";
    private const string TryAgain = """{"type": "try_again", "request_id": "req-1", "queue_state": "active"}""";
    private const string Output = """{"loss_fn_output_type": "ArrayRecord", "loss_fn_outputs": [{"logprobs": {"data": [-0.5, -1.25], "dtype": "float32", "shape": [2]}}], "metrics": {"loss:sum": 1.75}}""";

    private static readonly List<Datum> Batch = [new(ModelInput.FromInts([1, 2]), new Dictionary<string, TensorData>
    {
        ["target_tokens"] = TensorData.FromInt64s([2, 3]),
        ["weights"] = TensorData.FromSingles([1, 1]),
    })];

    [Fact]
    public async Task Try_again_408_429_and_5xx_are_polled_through_to_the_result()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.ForwardBackward, Json(Future))
            .On(TinkerRoutes.RetrieveFuture,
                Json(TryAgain),
                Json("""{"type": "try_again", "request_id": "req-1", "queue_state": "paused_rate_limit"}""", HttpStatusCode.RequestTimeout),
                Status(HttpStatusCode.TooManyRequests),
                Status(HttpStatusCode.ServiceUnavailable),
                Status(HttpStatusCode.BadGateway),
                Json(Output));
        await using var transport = Transport(handler);

        var result = await transport.ForwardBackwardAsync("model-1", Batch, LossFn.CrossEntropy, CancellationToken.None);

        Assert.Equal(1.75, result.Loss);
        Assert.Equal([-0.5f, -1.25f], result.Logprobs(0).ToSingles());
        var polls = handler.To(TinkerRoutes.RetrieveFuture).ToList();
        Assert.Equal(6, polls.Count);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], polls.Select(poll => poll.Request.Headers.GetValues("X-Tinker-Request-Iteration").Single()));
        Assert.All(polls, poll => Assert.Equal("req-1", JsonDocument.Parse(poll.Body).RootElement.GetProperty("request_id").GetString()));
        Assert.Single(handler.To(TinkerRoutes.ForwardBackward));
    }

    [Fact]
    public async Task A_gone_future_410_is_submitted_again_with_the_same_seq_id()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.ForwardBackward, Json(Future), Json("""{"request_id": "req-2"}"""))
            .On(TinkerRoutes.RetrieveFuture, Status(HttpStatusCode.Gone), Json(Output));
        await using var transport = Transport(handler);

        var result = await transport.ForwardBackwardAsync("model-1", Batch, LossFn.CrossEntropy, CancellationToken.None);

        Assert.Equal(1.75, result.Loss);
        var submissions = handler.To(TinkerRoutes.ForwardBackward).Select(request => request.Body).ToList();
        Assert.Equal(2, submissions.Count);
        Assert.Equal(submissions[0], submissions[1]);
        Assert.Equal(1, JsonDocument.Parse(submissions[0]).RootElement.GetProperty("seq_id").GetInt64());
        Assert.Equal(["req-1", "req-2"], handler.To(TinkerRoutes.RetrieveFuture).Select(poll => JsonDocument.Parse(poll.Body).RootElement.GetProperty("request_id").GetString()));
    }

    [Fact]
    public async Task A_future_gone_too_often_fails_as_failed_precondition()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.ForwardBackward, Json(Future))
            .On(TinkerRoutes.RetrieveFuture, Status(HttpStatusCode.Gone));
        await using var transport = Transport(handler, options => options with { MaxResubmissions = 2 });

        var error = await Assert.ThrowsAsync<MintServerException>(() => transport.ForwardBackwardAsync("model-1", Batch, LossFn.CrossEntropy, CancellationToken.None));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(3, handler.To(TinkerRoutes.ForwardBackward).Count());
    }

    [Fact]
    public async Task Submissions_are_retried_on_429_and_5xx_with_doubling_jittered_delays()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.OptimStep, Status(HttpStatusCode.TooManyRequests), Status(HttpStatusCode.InternalServerError), Status(HttpStatusCode.ServiceUnavailable), Json(Future))
            .On(TinkerRoutes.RetrieveFuture, Json("""{"metrics": {"grad_norm": 0.25}}"""));
        var clock = new DelayRecordingTimeProvider();
        await using var transport = Transport(handler, options => options with { InitialRetryDelay = TimeSpan.FromMilliseconds(40), MaxRetryDelay = TimeSpan.FromMilliseconds(120), TimeProvider = clock });

        var result = await transport.OptimStepAsync("model-1", new AdamParams(), CancellationToken.None);

        Assert.Equal(0.25, result.Metrics["grad_norm"]);
        Assert.Equal(1, result.Step);
        Assert.Equal(4, handler.To(TinkerRoutes.OptimStep).Count());

        // The delays the client asked its clock for (not arrival times, which scheduling on a busy
        // machine can squeeze): min(40 ms · 2^n, 120 ms) less at most 25% jitter.
        var delays = clock.Delays.Select(delay => delay.TotalMilliseconds).ToList();
        Assert.Equal(3, delays.Count);
        Assert.InRange(delays[0], 30, 40);
        Assert.InRange(delays[1], 60, 80);
        Assert.InRange(delays[2], 90, 120);
        var bodies = handler.To(TinkerRoutes.OptimStep).Select(request => request.Body).Distinct().ToList();
        Assert.Single(bodies);
    }

    [Fact]
    public async Task A_server_that_says_x_should_retry_false_is_not_retried()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.OptimStep, Json("""{"detail": "down for maintenance"}""", HttpStatusCode.ServiceUnavailable, response => response.Headers.Add("x-should-retry", "false")));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<MintServerException>(() => transport.OptimStepAsync("model-1", new AdamParams(), CancellationToken.None));

        Assert.Equal("down for maintenance", error.Message);
        Assert.Single(handler.To(TinkerRoutes.OptimStep));
    }

    [Fact]
    public async Task Retries_stop_after_max_retries()
    {
        var handler = new ScriptedTinkerHandler().On(TinkerRoutes.OptimStep, Status(HttpStatusCode.InternalServerError));
        await using var transport = Transport(handler, options => options with { MaxRetries = 2 });

        var error = await Assert.ThrowsAsync<MintServerException>(() => transport.OptimStepAsync("model-1", new AdamParams(), CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(3, handler.To(TinkerRoutes.OptimStep).Count());
    }

    [Theory]
    [InlineData("user", StatusCode.InvalidArgument)]
    [InlineData("server", StatusCode.Internal)]
    [InlineData("unknown", StatusCode.Unknown)]
    public async Task A_hosted_services_failed_future_maps_by_category(string category, StatusCode expected)
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.ForwardBackward, Json(Future))
            .On(TinkerRoutes.RetrieveFuture, Json($$"""{"error": "it broke", "category": "{{category}}"}"""));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<MintServerException>(() => transport.ForwardBackwardAsync("model-1", Batch, LossFn.CrossEntropy, CancellationToken.None));

        Assert.Equal(expected, error.StatusCode);
        Assert.Equal("it broke", error.Message);
    }

    [Fact]
    public async Task A_bare_400_while_polling_is_retried_three_times_then_fails()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.ForwardBackward, Json(Future))
            .On(TinkerRoutes.RetrieveFuture, Status(HttpStatusCode.BadRequest));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<MintServerException>(() => transport.ForwardBackwardAsync("model-1", Batch, LossFn.CrossEntropy, CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(4, handler.To(TinkerRoutes.RetrieveFuture).Count());
    }

    [Fact]
    public async Task Cancelling_stops_polling_a_future_that_never_completes()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.ForwardBackward, Json(Future))
            .On(TinkerRoutes.RetrieveFuture, Json(TryAgain, configure: _ => Thread.Sleep(5)));
        await using var transport = Transport(handler);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.ForwardBackwardAsync("model-1", Batch, LossFn.CrossEntropy, cancel.Token));
        var polls = handler.To(TinkerRoutes.RetrieveFuture).Count();
        await Task.Delay(100);
        Assert.Equal(polls, handler.To(TinkerRoutes.RetrieveFuture).Count());
    }

    [Fact]
    public async Task Each_model_numbers_its_requests_from_one_in_call_order()
    {
        var handler = new ScriptedTinkerHandler()
            .On(TinkerRoutes.ForwardBackward, Json(Future))
            .On(TinkerRoutes.OptimStep, Json(Future))
            .On(TinkerRoutes.SaveWeights, Json(Future))
            .On(TinkerRoutes.RetrieveFuture, Json(Output), Json("""{"metrics": {}}"""), Json(Output), Json("""{"path": "tinker://model-1/weights/a"}"""));
        await using var transport = Transport(handler);

        await transport.ForwardBackwardAsync("model-1", Batch, LossFn.CrossEntropy, CancellationToken.None);
        await transport.OptimStepAsync("model-1", new AdamParams(), CancellationToken.None);
        await transport.ForwardBackwardAsync("model-2", Batch, LossFn.CrossEntropy, CancellationToken.None);
        await transport.SaveStateAsync("model-1", "a", CancellationToken.None);

        var submitted = handler.Requests.Where(request => request.Route != TinkerRoutes.RetrieveFuture)
            .Select(request => JsonDocument.Parse(request.Body).RootElement)
            .Select(body => (body.GetProperty("model_id").GetString(), body.GetProperty("seq_id").GetInt64()));
        Assert.Equal([("model-1", 1L), ("model-1", 2L), ("model-2", 1L), ("model-1", 3L)], submitted);
        Assert.All(handler.Requests, request => Assert.Equal("tml-test", request.Request.Headers.GetValues("X-API-Key").Single()));
        Assert.All(handler.Requests, request => Assert.StartsWith("/services/tinker/api/v1/", request.Request.RequestUri!.AbsolutePath, StringComparison.Ordinal));
    }

    private static TinkerTransport Transport(ScriptedTinkerHandler handler, Func<TinkerTransportOptions, TinkerTransportOptions>? configure = null)
    {
        var options = new TinkerTransportOptions
        {
            BaseUrl = new Uri("http://tinker.test/services/tinker"),
            ApiKey = "tml-test",
            HttpHandler = handler,
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        };
        return new TinkerTransport(configure is null ? options : configure(options));
    }
}
