using System.Linq;
using System.Threading.Tasks;
using Grpc.Core;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Hosting;

/// <summary>Every call leaves one structured log line: operation, session, owner, datums, status, duration.</summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task Each_call_logs_one_line_with_its_fields_and_never_the_key()
    {
        using var model = new ModelFolder();
        await using var server = await RunningServer.StartAsync(model.Path, apiKeys: ["log-test-key"]);
        var training = await server.Client("log-test-key").CreateLoraTrainingClientAsync();
        await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);
        await Assert.ThrowsAsync<BatchValidationException>(() => training.OptimStepAsync(new AdamParams(LearningRate: 0)));
        await Assert.ThrowsAsync<UnauthenticatedException>(() => server.Client("wrong").ListSessionsAsync());

        var requests = server.Logs.Entries.Where(entry => entry.EventId == 1).ToList();
        Assert.Equal(["create_session", "forward_backward:cross_entropy", "optim_step"], requests.Select(entry => entry.Fields["Operation"]));
        Assert.Equal(training.SessionId, requests[0].Fields["SessionId"]);
        var forwardBackward = requests[1];
        Assert.Equal(training.SessionId, forwardBackward.Fields["SessionId"]);
        Assert.Equal(3, forwardBackward.Fields["Datums"]);
        Assert.Equal(StatusCode.OK, forwardBackward.Fields["Status"]);
        Assert.True((double)forwardBackward.Fields["ElapsedMs"]! > 0);
        Assert.Equal(StatusCode.InvalidArgument, requests[2].Fields["Status"]);
        Assert.StartsWith("key-", (string)forwardBackward.Fields["Owner"]!);
        Assert.Single(server.Logs.Entries, entry => entry.EventId == 2);
        Assert.DoesNotContain(server.Logs.Entries, entry => entry.Message.Contains("log-test-key") || entry.Message.Contains("wrong"));
    }
}
