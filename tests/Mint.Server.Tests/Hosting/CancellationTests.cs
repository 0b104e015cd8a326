using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Protocol.Conversion;
using Mint.Server.Tests.Support;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Hosting;

/// <summary>
/// Cancelled calls, expired deadlines and vanished clients: a call that has not started never runs,
/// and the server stays healthy for the next one.
/// </summary>
public sealed class CancellationTests : IAsyncLifetime
{
    private readonly ModelFolder model = new(seed: 7);
    private RunningServer server = null!;

    public async Task InitializeAsync() => server = await RunningServer.StartAsync(model.Path, maxQueue: 4);

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        model.Dispose();
    }

    private Task WaitUntilQueued(int count) => Until(() => server.Server.Queue.Waiting == count);

    private static async Task Until(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 500 && !condition(); attempt++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "timed out waiting");
    }

    private void AssertNoGradient(string sessionId) => Assert.All(
        server.Server.Engine.GetSession(sessionId).AdapterGradients().Values,
        gradient => Assert.Equal(0, gradient.abs().sum().item<float>()));

    [Fact]
    public async Task A_call_cancelled_while_queued_never_runs_and_the_server_stays_healthy()
    {
        var training = await server.Client().CreateLoraTrainingClientAsync();
        using var cancel = new CancellationTokenSource();
        Task pending;
        await using (await server.Server.Queue.PauseAsync())
        {
            pending = training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy, cancel.Token);
            await WaitUntilQueued(1);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
            await WaitUntilQueued(0);
        }

        AssertNoGradient(training.SessionId);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
        var result = await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        Assert.True(result.Loss > 0);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_request_leaves_the_server_healthy()
    {
        var sessionId = await server.Client().Transport.CreateSessionAsync(new LoraConfig(), CancellationToken.None);
        Task pending;
        await using (await server.Server.Queue.PauseAsync())
        {
            var leaving = new GrpcTransport(server.Url);
            pending = leaving.ForwardBackwardAsync(sessionId, TrainingRuns.SftBatch(), LossFn.CrossEntropy, CancellationToken.None);
            await WaitUntilQueued(1);
            await leaving.DisposeAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => pending);
            await WaitUntilQueued(0);
        }

        AssertNoGradient(sessionId);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
        var fresh = server.Client().Transport;
        Assert.True((await fresh.ForwardBackwardAsync(sessionId, TrainingRuns.SftBatch(), LossFn.CrossEntropy, CancellationToken.None)).Loss > 0);
    }

    [Fact]
    public async Task A_client_cancelling_while_its_call_computes_leaves_the_server_consistent()
    {
        var training = await server.Client().CreateLoraTrainingClientAsync();
        var random = new Random(1);
        var batch = new System.Collections.Generic.List<Datum>();
        for (var index = 0; index < 300; index++)
        {
            batch.Add(Engine.Tests.Support.Data.Sft(Enumerable.Range(0, 64).Select(_ => random.Next(48)).ToArray()));
        }

        using var cancel = new CancellationTokenSource();
        Task pending;
        await using (await server.Server.Queue.PauseAsync())
        {
            pending = training.ForwardAsync(batch, cancel.Token);
            await WaitUntilQueued(1);
        }

        // The call now holds the engine for a while; the client gives up in the middle of it.
        await Task.Delay(20);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await server.HealthAsync());
        Assert.Equal(3, (await training.ForwardAsync(TrainingRuns.SftBatch())).Logprobs.Count);
        Assert.Equal(0, (await training.GetInfoAsync()).Step);
    }

    [Fact]
    public async Task A_deadline_that_expires_in_the_queue_fails_the_call_which_never_runs()
    {
        var sessionId = await server.Client().Transport.CreateSessionAsync(new LoraConfig(), CancellationToken.None);
        // A plain channel, so an expired deadline surfaces as its status rather than as a cancellation.
        using var channel = GrpcChannel.ForAddress(server.Url);
        var raw = new V1.Training.TrainingClient(channel);
        var request = new V1.ForwardBackwardRequest { SessionId = sessionId, Builtin = new V1.BuiltinLoss { Name = "cross_entropy" } };
        request.Data.AddRange(TrainingRuns.SftBatch().ConvertAll(BatchCodec.ToWire));

        await using (await server.Server.Queue.PauseAsync())
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
                await raw.ForwardBackwardAsync(request, deadline: DateTime.UtcNow.AddMilliseconds(200)));
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
            await WaitUntilQueued(0);
        }

        AssertNoGradient(sessionId);
        Assert.True((await raw.ForwardBackwardAsync(request, deadline: DateTime.UtcNow.AddSeconds(30))).Metrics["loss:sum"] > 0);
    }
}
