using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Hosting;

/// <summary>
/// A call refused because the queue was full never ran, so the client retries it with backoff,
/// bounded by the policy; it succeeds once the engine frees up. Other failures are not retried.
/// </summary>
public sealed class RetryTests
{
    private static readonly RetryPolicy Quick = new() { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(40) };

    private static int Refusals(RunningServer server, string operation) => server.Logs.Entries.Count(entry =>
        entry.EventId == 1 && Equals(entry.Fields["Operation"], operation) && Equals(entry.Fields["Status"], StatusCode.ResourceExhausted));

    private static async Task WaitUntilQueued(RunningServer server)
    {
        for (var attempt = 0; attempt < 500 && server.Server.Queue.Waiting == 0; attempt++)
        {
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_refused_call_is_retried_until_the_engine_frees_up()
    {
        using var model = new ModelFolder(seed: 3);
        await using var server = await RunningServer.StartAsync(model.Path, maxQueue: 1);
        var patient = server.Client(retry: Quick with { MaxAttempts = 100 }).Transport;
        var sessionId = await patient.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);

        Task<OptimStepResult> retried;
        await using (await server.Server.Queue.PauseAsync())
        {
            var queued = patient.ForwardBackwardAsync(sessionId, TrainingRuns.SftBatch(), LossFn.CrossEntropy, CancellationToken.None);
            await WaitUntilQueued(server);
            retried = patient.OptimStepAsync(sessionId, new AdamParams(), CancellationToken.None);
            while (Refusals(server, "optim_step") < 2)
            {
                await Task.Delay(10);
            }

            Assert.False(retried.IsCompleted);
            _ = queued;
        }

        Assert.Equal(1, (await retried).Step);
    }

    [Fact]
    public async Task Retries_are_bounded_by_max_attempts_and_then_the_refusal_is_thrown()
    {
        using var model = new ModelFolder(seed: 3);
        await using var server = await RunningServer.StartAsync(model.Path, maxQueue: 1);
        var transport = server.Client(retry: Quick).Transport;
        var sessionId = await transport.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);

        await using (await server.Server.Queue.PauseAsync())
        {
            var queued = transport.ForwardBackwardAsync(sessionId, TrainingRuns.SftBatch(), LossFn.CrossEntropy, CancellationToken.None);
            await WaitUntilQueued(server);
            await Assert.ThrowsAsync<ServerOverloadedException>(() => transport.GetInfoAsync(sessionId, CancellationToken.None));
            Assert.Equal(4, Refusals(server, "get_info"));
            _ = queued;
        }
    }

    [Fact]
    public void Delays_grow_exponentially_within_their_bound_and_jitter()
    {
        var policy = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500), Multiplier = 2 };
        var delays = Enumerable.Range(0, 2000).Select(_ => policy.Delay(3).TotalMilliseconds).ToList();
        Assert.All(delays, delay => Assert.InRange(delay, 0, 400));
        Assert.True(delays.Distinct().Count() > 1000, "delays must be jittered");
        Assert.All(Enumerable.Range(0, 200).Select(_ => policy.Delay(10).TotalMilliseconds), delay => Assert.InRange(delay, 0, 500));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpcTransport(new GrpcTransportOptions { ServerUrl = new Uri("http://127.0.0.1:1"), Retry = policy with { MaxAttempts = 0 } }));
    }
}
