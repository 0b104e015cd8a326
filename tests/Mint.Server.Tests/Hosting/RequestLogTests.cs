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

    [Fact]
    public async Task A_tinker_forward_backward_logs_its_datums_as_over_grpc()
    {
        using var model = new ModelFolder();
        await using var server = await RunningServer.StartAsync(model.Path, apiKeys: ["tml-log-test"], tinker: true);
        var training = await server.TinkerClient("tml-log-test").CreateLoraTrainingClientAsync();
        await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);

        // The line is written once the answer is stored, so it may trail the client's result a little.
        for (var tries = 0; tries < 200 && !server.Logs.Entries.Any(IsForwardBackward); tries++)
        {
            await Task.Delay(50);
        }

        var line = Assert.Single(server.Logs.Entries, IsForwardBackward);
        Assert.Equal(training.SessionId, line.Fields["SessionId"]);
        Assert.Equal(3, line.Fields["Datums"]);

        static bool IsForwardBackward(LogCapture.Entry entry) => entry.EventId == 1 && (string?)entry.Fields["Operation"] == "tinker:forward_backward";
    }
}
