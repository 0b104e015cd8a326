using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Hosting;

/// <summary>A full queue refuses new calls at once with RESOURCE_EXHAUSTED instead of growing.</summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task A_call_beyond_the_queue_is_refused_at_once_and_changes_nothing()
    {
        using var model = new ModelFolder(seed: 3);
        await using var server = await RunningServer.StartAsync(model.Path, maxQueue: 1);
        var transport = server.Client(retry: RetryPolicy.None).Transport;
        var sessionId = await transport.CreateSessionAsync(new LoraConfig(4), CancellationToken.None);

        Task<ForwardBackwardResult> queued;
        await using (await server.Server.Queue.PauseAsync())
        {
            queued = transport.ForwardBackwardAsync(sessionId, TrainingRuns.SftBatch(), LossFn.CrossEntropy, CancellationToken.None);
            for (var attempt = 0; attempt < 500 && server.Server.Queue.Waiting == 0; attempt++)
            {
                await Task.Delay(10);
            }

            var refused = await Assert.ThrowsAsync<ServerOverloadedException>(() =>
                transport.OptimStepAsync(sessionId, new AdamParams(), CancellationToken.None));

            Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Equal("The server is busy: 1 requests are already waiting for the engine. Retry later.", refused.Message);
            Assert.False(queued.IsCompleted);
        }

        Assert.True((await queued).Loss > 0);
        Assert.Equal(0, (await transport.GetInfoAsync(sessionId, CancellationToken.None)).Step);
        Assert.Equal(1, (await transport.OptimStepAsync(sessionId, new AdamParams(), CancellationToken.None)).Step);
    }
}
