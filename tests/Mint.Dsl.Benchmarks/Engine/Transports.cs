using System;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Engine;
using Mint.Engine.Model;
using Mint.Server.Hosting;

namespace Mint.Dsl.Benchmarks.Engine;

/// <summary>The two transports the benchmarks compare, each on its own engine over the same model folder.</summary>
public static class Transports
{
    /// <summary>The engine in-process.</summary>
    public static EngineBenchmarks.TransportUnderTest Embedded() => new("embedded", folder =>
        Task.FromResult(new ServiceClient(new EmbeddedTransport(new MintEngine(PretrainedModel.Load(folder)), Path.GetTempPath(), ownsEngine: true))));

    /// <summary>A real <c>Mint.Server</c> on a loopback port, reached over gRPC.</summary>
    public static EngineBenchmarks.TransportUnderTest Grpc()
    {
        MintServer? server = null;
        return new("gRPC", async folder =>
        {
            server = await MintServer.StartAsync(new ServerOptions
            {
                ModelPath = folder,
                Port = 0,
                CheckpointDirectory = Path.Combine(Path.GetTempPath(), "mint-bench-checkpoints"),
                ConfigureLogging = logging => { logging.ClearProviders(); if (Environment.GetEnvironmentVariable("MINT_BENCH_SERVER_LOGS") == "1") { logging.AddSimpleConsole(); } },
            });
            return new ServiceClient(new GrpcTransport(server.Address));
        }, async () =>
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        });
    }
}
