using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Transport;

/// <summary>
/// Server-side failures reach the client as the exceptions the engine throws in-process: the same
/// type, the same message, the same violations.
/// </summary>
public sealed class ErrorMappingTests : IAsyncLifetime
{
    private readonly ModelFolder model = new(seed: 2);
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

    /// <summary>Runs <paramref name="call"/> on both transports and returns both exceptions.</summary>
    private async Task<(T Local, T Remote)> BothFail<T>(Func<ITrainingTransport, string, Task> call)
        where T : Exception
    {
        var localSession = await embedded.Client.Transport.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);
        var remoteSession = await server.Client().Transport.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);
        var local = await Assert.ThrowsAsync<T>(() => call(embedded.Client.Transport, localSession));
        var remote = await Assert.ThrowsAsync<T>(() => call(server.Client().Transport, remoteSession));
        return (local, remote);
    }

    [Fact]
    public async Task An_invalid_batch_sent_past_client_validation_fails_with_the_same_violations()
    {
        var batch = TrainingRuns.SftBatch();
        batch[1] = new Datum(batch[1].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = batch[1].LossFnInputs["target_tokens"] });
        batch[2] = new Datum(batch[2].ModelInput, new Dictionary<string, TensorData>
        {
            ["target_tokens"] = batch[2].LossFnInputs["target_tokens"],
            ["weights"] = TensorData.FromSingles([1, float.NaN, 1, 1, 1]),
            ["advantages"] = TensorData.FromSingles([1, 1, 1, 1, 1]),
        });

        var (local, remote) = await BothFail<BatchValidationException>((transport, session) =>
            transport.ForwardBackwardAsync(session, batch, LossFn.CrossEntropy, CancellationToken.None));

        Assert.Equal(3, remote.Violations.Count);
        Assert.Equal(
            ["datum 1, 'weights': missing; this loss requires a float32 tensor here.",
             "datum 2, 'advantages': 'cross_entropy' does not read this key; it reads: target_tokens, weights.",
             "datum 2, 'weights': value at position 1 is NaN; values must be finite."],
            remote.Violations.Select(violation => violation.ToString()));
        Assert.Equal(local.Message, remote.Message);
        Assert.Equal(local.Operation, remote.Operation);
        Assert.Equal(local.Violations, remote.Violations);
    }

    [Fact]
    public async Task The_servers_message_equals_the_one_local_validation_gives()
    {
        var training = await server.Client().CreateLoraTrainingClientAsync();
        var batch = TrainingRuns.SftBatch();
        batch[0] = new Datum(batch[0].ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = batch[0].LossFnInputs["target_tokens"] });

        var local = Assert.Throws<BatchValidationException>(() => LossFn.CrossEntropy.Definition.Validate(batch));
        var remote = await Assert.ThrowsAsync<BatchValidationException>(() =>
            server.Client().Transport.ForwardBackwardAsync(training.SessionId, batch, LossFn.CrossEntropy, CancellationToken.None));

        Assert.Equal(local.Message, remote.Message);
        Assert.Equal(local.Violations, remote.Violations);
    }

    [Fact]
    public async Task Engine_side_rejections_keep_their_messages()
    {
        var outsideVocabulary = await BothFail<BatchValidationException>((transport, session) =>
            transport.ForwardAsync(session, [Data.Sft([1, 2, 47]), Data.Sft([1, 99, 3])], CancellationToken.None));
        var noGradient = await BothFail<BatchValidationException>((transport, session) =>
            transport.OptimStepAsync(session, new AdamParams(LearningRate: -1), CancellationToken.None));
        var badSampling = await BothFail<BatchValidationException>((transport, session) =>
            transport.SampleAsync(session, ModelInput.FromInts([]), 0, new SamplingParams { TopP = 0, MaxTokens = 100 }, CancellationToken.None));

        foreach (var (local, remote) in new[] { outsideVocabulary, noGradient, badSampling })
        {
            Assert.Equal(local.Message, remote.Message);
            Assert.Equal(local.Violations, remote.Violations);
        }

        Assert.Equal(
            ["datum 1, 'model_input': token 99 at position 1 is outside the vocabulary (0–47).",
             "datum 1, 'target_tokens': token 99 at position 0 is outside the vocabulary (0–47)."],
            outsideVocabulary.Remote.Violations.Select(violation => violation.ToString()));
        Assert.Equal(2, noGradient.Remote.Violations.Count);
        Assert.Equal(4, badSampling.Remote.Violations.Count);
    }

    [Fact]
    public async Task Thousands_of_violations_come_back_as_the_first_hundred_and_their_count()
    {
        var batch = Enumerable.Range(0, 3000)
            .Select(index => new Datum(ModelInput.FromInts([1, 2, 3]), new Dictionary<string, TensorData> { ["target_tokens"] = TensorData.FromInt64s([2, 3, 4]) }))
            .ToList();

        var (local, remote) = await BothFail<BatchValidationException>((transport, session) =>
            transport.ForwardBackwardAsync(session, batch, LossFn.CrossEntropy, CancellationToken.None));

        Assert.Equal(3000, remote.TotalCount);
        Assert.Equal(local.Violations.Take(BatchValidationException.MaxListed), remote.Violations);
        Assert.Equal(local.Message, remote.Message);
    }

    [Fact]
    public async Task An_unknown_session_is_not_found()
    {
        var (local, remote) = await BothFail<SessionNotFoundException>((transport, _) =>
            transport.ForwardAsync("session-404", TrainingRuns.SftBatch(), CancellationToken.None));

        Assert.Equal("session-404", remote.SessionId);
        Assert.Equal(local.Message, remote.Message);
    }

    [Fact]
    public async Task Checkpoint_errors_name_the_checkpoint_not_the_servers_folders()
    {
        var training = await server.Client().CreateLoraTrainingClientAsync(new LoraConfig(4));
        var other = await server.Client().CreateLoraTrainingClientAsync(new LoraConfig(2));
        await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        await training.SaveStateAsync("rank-4");

        var missing = await Assert.ThrowsAsync<CheckpointException>(() => training.LoadStateAsync("never-saved"));
        var misfit = await Assert.ThrowsAsync<CheckpointException>(() => other.LoadStateAsync("rank-4"));

        Assert.Equal("No checkpoint 'never-saved' exists.", missing.Message);
        Assert.StartsWith($"Checkpoint 'rank-4' does not fit session {other.SessionId}: ", misfit.Message);
        Assert.DoesNotContain(server.CheckpointRoot, misfit.Message);
    }

    [Fact]
    public async Task A_batch_larger_than_grpcs_default_4_mib_goes_through()
    {
        // About 380k tokens: a minimal model keeps the engine's share of this test small.
        using var minimal = new ModelFolder(ModelFolder.Minimal, seed: 1);
        await using var large = await RunningServer.StartAsync(minimal.Path);
        var training = await large.Client().CreateLoraTrainingClientAsync(new LoraConfig(1));
        var random = new Random(3);
        var batch = Enumerable.Range(0, 6000)
            .Select(_ => Data.Sft(Enumerable.Range(0, 64).Select(_ => random.Next(48)).ToArray()))
            .ToList();
        var wireBytes = batch.Sum(datum => Mint.Protocol.Conversion.BatchCodec.ToWire(datum).CalculateSize());

        var result = await training.ForwardAsync(batch);

        Assert.True(wireBytes > 5 * 1024 * 1024, $"the batch is only {wireBytes} bytes");
        Assert.Equal(6000, result.Logprobs.Count);
        Assert.All(result.Logprobs, row => Assert.Equal(63, row.Count));
        Assert.All(result.Logprobs.SelectMany(row => row.ToDoubles()), value => Assert.True(value < 0 && double.IsFinite(value)));
    }

    [Fact]
    public async Task A_request_beyond_kestrels_30_mb_body_limit_is_read_whole()
    {
        var training = await server.Client().CreateLoraTrainingClientAsync();
        var datum = Data.Sft(Enumerable.Range(0, 64).Select(position => position % 48).ToArray());
        var batch = Enumerable.Repeat(datum, 45_000).ToList();
        batch[^1] = new Datum(datum.ModelInput, new Dictionary<string, TensorData> { ["target_tokens"] = datum.LossFnInputs["target_tokens"] });
        var wireBytes = Mint.Protocol.Conversion.BatchCodec.ToWire(datum).CalculateSize() * (long)batch.Count;

        // The server reads and decodes the whole request (all 45000 datums), then refuses it by its size.
        var error = await RefusedAfterUpload(() => server.Client().Transport.ForwardBackwardAsync(training.SessionId, batch, LossFn.CrossEntropy, CancellationToken.None));

        Assert.True(wireBytes > 32 * 1024 * 1024, $"the batch is only {wireBytes} bytes");
        Assert.Equal("batch: the batch has 45000 datums; the limit max_batch_size is 16384.", Assert.Single(error.Violations).ToString());
    }

    /// <summary>
    /// The refusal of a large upload. On a heavily loaded machine the upload itself can lose its connection
    /// before the server answers (Kestrel drops an HTTP/2 connection whose body data rate it measures as
    /// too slow, and a starved thread pool measures wrongly). Such a failure never got a status from the
    /// server (gRPC reports the transport exception as its debug exception), so it says nothing about the
    /// behaviour under test and the call is made again, three times at most; any answer the server gave
    /// is asserted as it is.
    /// </summary>
    private static async Task<BatchValidationException> RefusedAfterUpload(Func<Task> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                throw new Xunit.Sdk.XunitException("the server accepted the batch");
            }
            catch (BatchValidationException refused)
            {
                return refused;
            }
            catch (MintServerException dropped) when (attempt < 3 && dropped.InnerException is RpcException { Status.DebugException: IOException or HttpRequestException })
            {
                // The connection broke during the upload; no answer came from the server.
            }
        }
    }
}
