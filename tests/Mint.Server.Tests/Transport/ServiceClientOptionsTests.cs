using System;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Transport;

/// <summary>Training against a server is one setting on <see cref="ServiceClientOptions"/>.</summary>
public sealed class ServiceClientOptionsTests
{
    [Fact]
    public async Task A_server_url_selects_grpc_and_the_key_comes_from_the_options_or_MINT_API_KEY()
    {
        using var model = new ModelFolder();
        await using var server = await RunningServer.StartAsync(model.Path, apiKeys: ["option-key", "environment-key"]);

        await using var withOption = new ServiceClient(new ServiceClientOptions { ServerUrl = server.Url, ApiKey = "option-key" });
        var training = await withOption.CreateLoraTrainingClientAsync(new LoraConfig(4));
        var result = await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);

        Assert.IsType<GrpcTransport>(withOption.Transport);
        Assert.True(result.Loss > 0);

        Environment.SetEnvironmentVariable(ServiceClientOptions.ApiKeyVariable, "environment-key");
        try
        {
            await using var fromEnvironment = new ServiceClient(new ServiceClientOptions { ServerUrl = server.Url });
            await fromEnvironment.CreateLoraTrainingClientAsync();
            Assert.Single(await fromEnvironment.ListSessionsAsync());
        }
        finally
        {
            Environment.SetEnvironmentVariable(ServiceClientOptions.ApiKeyVariable, null);
        }

        await using var withoutKey = new ServiceClient(new ServiceClientOptions { ServerUrl = server.Url });
        await Assert.ThrowsAsync<UnauthenticatedException>(() => withoutKey.CreateLoraTrainingClientAsync());
    }

    [Fact]
    public async Task An_unreachable_server_is_a_typed_error()
    {
        await using var client = new ServiceClient(new ServiceClientOptions { ServerUrl = new Uri("http://127.0.0.1:1") });

        var error = await Assert.ThrowsAsync<MintServerException>(() => client.CreateLoraTrainingClientAsync());

        Assert.Equal(Grpc.Core.StatusCode.Unavailable, error.StatusCode);
    }
}
