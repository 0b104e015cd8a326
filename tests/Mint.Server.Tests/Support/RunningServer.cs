using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Client.Transport.Tinker;
using Mint.Server.Hosting;

namespace Mint.Server.Tests.Support;

/// <summary>
/// A real <see cref="MintServer"/> on 127.0.0.1 and a free port (Kestrel, HTTP/2 over a socket),
/// with its own checkpoint folder unless one is shared, and its log captured.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly bool ownsCheckpoints;
    private readonly List<IAsyncDisposable> clients = [];

    private RunningServer(MintServer server, string checkpointRoot, bool ownsCheckpoints, LogCapture logs)
    {
        Server = server;
        CheckpointRoot = checkpointRoot;
        this.ownsCheckpoints = ownsCheckpoints;
        Logs = logs;
    }

    public MintServer Server { get; }

    public Uri Url => Server.Address;

    public string CheckpointRoot { get; }

    public LogCapture Logs { get; }

    public static async Task<RunningServer> StartAsync(
        string modelFolder,
        string? checkpointRoot = null,
        IReadOnlyList<string>? apiKeys = null,
        int maxQueue = 64,
        string? settingsFile = null,
        bool tinker = false,
        TimeSpan? tinkerPollWait = null,
        Func<ServerOptions, ServerOptions>? configure = null)
    {
        var ownsCheckpoints = checkpointRoot is null;
        checkpointRoot ??= Directory.CreateTempSubdirectory("mint-server-checkpoints-").FullName;
        var logs = new LogCapture();
        var options = new ServerOptions
        {
            ModelPath = modelFolder,
            Port = 0,
            ApiKeys = apiKeys ?? [],
            CheckpointDirectory = checkpointRoot,
            MaxQueue = maxQueue,
            SettingsFile = settingsFile,
            HttpPort = tinker ? 0 : null,
            TinkerPollWait = tinkerPollWait ?? TimeSpan.FromSeconds(10),
            ConfigureLogging = logging => logging.ClearProviders().AddProvider(logs),
        };
        var server = await MintServer.StartAsync(configure?.Invoke(options) ?? options);
        return new RunningServer(server, checkpointRoot, ownsCheckpoints, logs);
    }

    /// <summary>A service client over gRPC to this server, disposed with it.</summary>
    public ServiceClient Client(string? apiKey = null, RetryPolicy? retry = null)
    {
        var client = new ServiceClient(new GrpcTransport(new GrpcTransportOptions { ServerUrl = Url, ApiKey = apiKey, Retry = retry ?? RetryPolicy.Default }));
        clients.Add(client);
        return client;
    }

    /// <summary>A service client over Tinker's HTTP protocol to this server (started with <c>tinker: true</c>), disposed with it.</summary>
    public ServiceClient TinkerClient(string? apiKey = null)
    {
        var client = new ServiceClient(new TinkerTransport(new TinkerTransportOptions { BaseUrl = Server.TinkerAddress!, ApiKey = apiKey }));
        clients.Add(client);
        return client;
    }

    /// <summary>The standard gRPC health service's answer for the whole server.</summary>
    public async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync()
    {
        await using var transport = new GrpcTransport(Url);
        var health = new Health.HealthClient(transport.Channel);
        return (await health.CheckAsync(new HealthCheckRequest())).Status;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await Server.DisposeAsync();
        if (ownsCheckpoints)
        {
            Directory.Delete(CheckpointRoot, recursive: true);
        }
    }
}
