using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Hosting;

/// <summary>
/// A server stopped after a checkpoint and started again has lost its sessions, and continues the run
/// exactly where it stopped with one call (<c>ResumeFromCheckpointAsync</c>).
/// </summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_restarted_server_continues_from_a_checkpoint_as_if_never_stopped()
    {
        using var model = new ModelFolder(seed: 8);
        var checkpoints = Directory.CreateTempSubdirectory("mint-restart-").FullName;
        var lora = new LoraConfig(4, Seed: 5);
        try
        {
            System.Collections.Generic.List<double> uninterrupted;
            await using (var reference = await RunningServer.StartAsync(model.Path))
            {
                var training = await reference.Client().CreateLoraTrainingClientAsync(lora);
                await TrainingRuns.SftAsync(training, steps: 2);
                uninterrupted = await TrainingRuns.SftAsync(training, steps: 3);
            }

            await using (var first = await RunningServer.StartAsync(model.Path, checkpoints, apiKeys: ["key"]))
            {
                var training = await first.Client("key").CreateLoraTrainingClientAsync(lora);
                await TrainingRuns.SftAsync(training, steps: 2);
                await training.SaveStateAsync("run/step-2");
            }

            await using var second = await RunningServer.StartAsync(model.Path, checkpoints, apiKeys: ["key"]);
            var client = second.Client("key");
            Assert.Empty(await client.ListSessionsAsync());
            var resumed = await client.ResumeFromCheckpointAsync("run/step-2", new LoraConfig(4, Seed: 99));
            Assert.Equal(2, (await resumed.GetInfoAsync()).Step);
            var continued = await TrainingRuns.SftAsync(resumed, steps: 3);

            Assert.Equal(uninterrupted, continued);
            Assert.Equal(5, (await resumed.GetInfoAsync()).Step);
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }
}
