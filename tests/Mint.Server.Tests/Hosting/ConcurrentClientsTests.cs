using System.Threading.Tasks;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Hosting;

/// <summary>Clients training at the same time on one server get exactly what each would get alone.</summary>
public sealed class ConcurrentClientsTests
{
    [Fact]
    public async Task Two_clients_training_two_sessions_at_once_do_not_disturb_each_other()
    {
        using var model = new ModelFolder(seed: 6);
        await using var server = await RunningServer.StartAsync(model.Path, apiKeys: ["first", "second"]);
        var first = new LoraConfig(4, Seed: 1);
        var second = new LoraConfig(8, Seed: 2);

        var firstAlone = await TrainingRuns.SftAsync(server.Client("first"), first, steps: 5);
        var secondAlone = await TrainingRuns.SftAsync(server.Client("second"), second, steps: 5, offset: 1);
        var together = await Task.WhenAll(
            Task.Run(() => TrainingRuns.SftAsync(server.Client("first"), first, steps: 5)),
            Task.Run(() => TrainingRuns.SftAsync(server.Client("second"), second, steps: 5, offset: 1)));

        Assert.NotEqual(firstAlone, secondAlone);
        Assert.Equal(firstAlone, together[0]);
        Assert.Equal(secondAlone, together[1]);
    }
}
