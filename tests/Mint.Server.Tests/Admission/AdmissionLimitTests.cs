using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Health.V1;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine.Admission;
using Mint.Engine.Tests.Support;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Admission;

/// <summary>
/// Every limit, over a real socket: a request over it is refused with a typed error naming the
/// limit, the server keeps serving, and the caller's session is unchanged.
/// </summary>
public sealed class AdmissionLimitTests : IAsyncLifetime
{
    private const string Key = "key-a";
    private const string OtherKey = "key-b";

    private readonly ModelFolder model = new(seed: 6);
    private RunningServer server = null!;
    private ITrainingTransport transport = null!;
    private string session = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(model.Path, apiKeys: [Key, OtherKey], configure: options => options with
        {
            MaxSessionsPerKey = 2,
            MaxMessageBytes = 1024 * 1024,
            Limits = new EngineLimits
            {
                MaxLoraRank = 8,
                MaxBatchSize = 300,
                MaxTokensPerRequest = 400,
                MaxNumSamples = 4,
                MaxSampleTokens = 8,
            },
        });
        transport = server.Client(Key, RetryPolicy.None).Transport;
        session = await transport.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);
        await transport.ForwardBackwardAsync(session, TrainingRuns.SftBatch(), LossFn.CrossEntropy, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        model.Dispose();
    }

    /// <summary>Runs a rejected call and checks that the server still serves and the session did not change.</summary>
    private async Task<T> AssertRefused<T>(Func<Task> call)
        where T : Exception
    {
        var live = server.Server.Engine.GetSession(session);
        var snapshot = SessionSnapshot.Of(live);
        var error = await Assert.ThrowsAsync<T>(call);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
        snapshot.AssertUnchanged(live);
        return error;
    }

    [Fact]
    public async Task A_rank_of_int_max_is_refused_naming_max_lora_rank_and_the_server_lives_on()
    {
        var error = await AssertRefused<BatchValidationException>(() =>
            transport.CreateSessionAsync(new LoraConfig(int.MaxValue), CancellationToken.None));
        Assert.Equal("create_session", error.Operation);
        Assert.Contains("config 'rank': is 2147483647; the limit max_lora_rank is 8.", error.Message);
        Assert.Equal([session], await transport.ListSessionsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Sessions_beyond_max_sessions_per_key_are_refused_for_that_key_only()
    {
        await transport.CreateSessionAsync(new LoraConfig(2), CancellationToken.None);
        var error = await AssertRefused<SessionLimitException>(() => transport.CreateSessionAsync(new LoraConfig(2), CancellationToken.None));
        Assert.Equal("This API key already holds 2 sessions, the limit max_sessions_per_key; close one first.", error.Message);
        Assert.Equal(2, (await transport.ListSessionsAsync(CancellationToken.None)).Count);

        var other = server.Client(OtherKey).Transport;
        await other.CreateSessionAsync(new LoraConfig(2), CancellationToken.None);
    }

    [Fact]
    public async Task A_million_samples_are_refused_naming_max_num_samples()
    {
        var error = await AssertRefused<BatchValidationException>(() =>
            transport.SampleAsync(session, ModelInput.FromInts([1, 2]), 1_000_000, new SamplingParams { MaxTokens = 1 }, CancellationToken.None));
        Assert.Equal("Invalid input for sample (1 problem):\n  - config 'num_samples': is 1000000; the limit max_num_samples is 4.", error.Message);
    }

    [Fact]
    public async Task Max_tokens_of_int_max_is_refused_not_an_internal_error()
    {
        var error = await AssertRefused<BatchValidationException>(() =>
            transport.SampleAsync(session, ModelInput.FromInts([1, 2]), 1, new SamplingParams { MaxTokens = int.MaxValue }, CancellationToken.None));
        Assert.Equal(
            ["config 'max_tokens': is 2147483647; the limit max_sample_tokens is 8.",
             "config 'max_tokens': the prompt (2 tokens) plus 2147483647 new tokens exceed the model's context of 64."],
            error.Violations.Select(violation => violation.ToString()));
    }

    [Fact]
    public async Task A_temperature_of_1e_minus_308_is_refused_not_an_internal_error()
    {
        var error = await AssertRefused<BatchValidationException>(() =>
            transport.SampleAsync(session, ModelInput.FromInts([1, 2]), 1, new SamplingParams { MaxTokens = 2, Temperature = 1e-308 }, CancellationToken.None));
        Assert.Equal("temperature", error.Violations.Single().Key);
    }

    [Fact]
    public async Task A_batch_over_max_batch_size_gets_one_violation_however_large()
    {
        var empty = Enumerable.Range(0, 100_000).Select(_ => new Datum(ModelInput.FromInts([]), new Dictionary<string, TensorData>())).ToList();
        var error = await AssertRefused<BatchValidationException>(() =>
            transport.ForwardBackwardAsync(session, empty, LossFn.CrossEntropy, CancellationToken.None));
        Assert.Equal("Invalid input for loss 'cross_entropy' (1 problem):\n  - batch: the batch has 100000 datums; the limit max_batch_size is 300.", error.Message);
    }

    [Fact]
    public async Task A_batch_over_max_tokens_per_request_is_refused()
    {
        var batch = Enumerable.Range(0, 10).Select(_ => Data.Sft(Enumerable.Range(1, 45).ToArray())).ToList();
        var error = await AssertRefused<BatchValidationException>(() => transport.ForwardAsync(session, batch, CancellationToken.None));
        Assert.Equal("Invalid input for forward (1 problem):\n  - batch: the batch has 440 tokens; the limit max_tokens_per_request is 400.", error.Message);
    }

    [Fact]
    public async Task A_report_of_many_violations_is_bounded_on_the_wire_and_keeps_its_count()
    {
        var empty = Enumerable.Range(0, 300).Select(_ => new Datum(ModelInput.FromInts([]), new Dictionary<string, TensorData>())).ToList();
        var error = await AssertRefused<BatchValidationException>(() =>
            transport.ForwardBackwardAsync(session, empty, LossFn.CrossEntropy, CancellationToken.None));
        Assert.Equal(900, error.TotalCount);
        Assert.Equal(BatchValidationException.MaxListed, error.Violations.Count);
        Assert.StartsWith("Invalid input for loss 'cross_entropy' (900 problems; the first 100 follow):\n  - datum 0: the model input has no tokens.", error.Message);
        Assert.Equal(Enumerable.Range(0, 34).SelectMany(index => Enumerable.Repeat<int?>(index, 3)).Take(100), error.Violations.Select(violation => violation.DatumIndex));
    }

    [Fact]
    public async Task A_megabyte_session_id_is_refused_without_being_echoed()
    {
        var huge = new string('s', 1024 * 1024 - 64);
        var error = await AssertRefused<BatchValidationException>(() => transport.GetInfoAsync(huge, CancellationToken.None));
        Assert.Equal("Invalid input for get_info (1 problem):\n  - config 'session_id': is 1048512 characters; session ids have at most 128.", error.Message);
    }

    [Fact]
    public async Task A_message_over_max_message_bytes_is_refused_and_not_retried()
    {
        var retrying = server.Client(Key, RetryPolicy.Default with { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(10) }).Transport;
        var big = new List<Datum> { new(ModelInput.FromInts([1]), new Dictionary<string, TensorData> { ["weights"] = TensorData.FromSingles(new float[300_000]) }) };
        var started = DateTime.UtcNow;
        var error = await AssertRefused<MintServerException>(() => retrying.ForwardAsync(session, big, CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.IsNotType<ServerOverloadedException>(error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "a refused oversized message must not be retried");
    }

    [Fact]
    public async Task Request_headers_over_max_header_bytes_are_refused_and_the_server_lives_on()
    {
        var oversized = server.Client(new string('k', 40 * 1024), RetryPolicy.None).Transport;
        // Kestrel closes the connection (HTTP/2 COMPRESSION_ERROR, or a reset under load); no call runs.
        var error = await AssertRefused<MintServerException>(() => oversized.ListSessionsAsync(CancellationToken.None));
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }
}
