using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using Mint.Server.Http;
using Mint.Server.Logging;
using Mint.Server.Scheduling;
using Mint.Server.Security;
using Mint.Server.Services;
using Mint.Server.Sessions;
using TorchSharp;

namespace Mint.Server.Hosting;

/// <summary>
/// A running Mint server: one base model in a <see cref="MintEngine"/>, served over gRPC by Kestrel
/// (HTTP/2), with the standard gRPC health service. <c>Program</c> starts one from the command line;
/// tests start them in-process on a free port.
/// </summary>
public sealed class MintServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private int disposed;

    private MintServer(WebApplication app, MintEngine engine, EngineQueue queue, IReadOnlyList<Uri> addresses)
    {
        this.app = app;
        Engine = engine;
        Queue = queue;
        Addresses = addresses;
    }

    /// <summary>The engine the server hosts.</summary>
    public MintEngine Engine { get; }

    /// <summary>The queue every engine call waits in.</summary>
    public EngineQueue Queue { get; }

    /// <summary>The addresses the server listens on, ports resolved.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The first address: what a client's <c>ServerUrl</c> should be.</summary>
    public Uri Address => Addresses[0];

    /// <summary>Where Tinker's HTTP protocol is served (<see cref="ServerOptions.HttpPort"/>), or null.</summary>
    public Uri? TinkerAddress { get; private init; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Loads the model, binds the listeners and starts serving.</summary>
    /// <exception cref="ModelLoadException">When the model folder cannot be loaded.</exception>
    public static async Task<MintServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        TorchNative.EnsureLoaded();
        if (options.MaxSessionsPerKey < 1 || options.MaxHeaderBytes < 1024)
        {
            throw new ArgumentException("MaxSessionsPerKey must be at least 1 and MaxHeaderBytes at least 1024.", nameof(options));
        }

        var engine = MintEngine.Load(options.ModelPath, new EngineOptions
        {
            Device = ComputeDevice.Parse(options.Device, "--device"),
            Precision = options.Precision,
            AllowTf32 = options.AllowTf32,
            ActivationCheckpointing = options.ActivationCheckpointing,
        }, options.Limits, options.ModelName);
        WebApplication? app = null;
        try
        {
            var queue = new EngineQueue(options.MaxQueue);
            var keys = new ApiKeys(options.ApiKeys);
            app = Build(options, engine, queue, keys);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
                .Select(address => new Uri(address))
                .ToList();
            var logger = app.Services.GetRequiredService<ILogger<MintServer>>();
            var checkpoints = app.Services.GetRequiredService<CheckpointStore>();
            ServerLog.Started(logger, engine.Model.Name, engine.Model.Config.VocabSize, engine.Model.Config.MaxPositionEmbeddings,
                string.Join(", ", addresses), checkpoints.Root, queue.Capacity,
                keys.Required ? $"{options.ApiKeys.Count} API key(s): {string.Join(", ", keys.CallerIds)}" : "no API keys");
            var exposed = addresses.Where(address => address.Scheme == Uri.UriSchemeHttp && !IsLoopback(address)).ToList();
            if (exposed.Count > 0 && !keys.Required)
            {
                ServerLog.Exposed(logger, string.Join(", ", exposed));
            }
            else if (exposed.Count > 0)
            {
                ServerLog.KeysInClear(logger, string.Join(", ", exposed));
            }

            return new MintServer(app, engine, queue, addresses) { TinkerAddress = options.HttpPort is null || addresses.Count < 2 ? null : addresses[1] };
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            engine.Dispose();
            throw;
        }
    }

    /// <summary>Completes when the host is asked to stop or <paramref name="cancellationToken"/> fires; dispose the server then.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStop = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        using var onCancel = cancellationToken.Register(() => stopping.TrySetResult());
        await stopping.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Stops accepting calls, lets those running or queued finish (within the host's shutdown
    /// timeout), then frees the engine.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await app.StopAsync().ConfigureAwait(false);
        ServerLog.Stopped(app.Services.GetRequiredService<ILogger<MintServer>>(), Engine.Model.Name);
        await app.DisposeAsync().ConfigureAwait(false);
        await using (await Queue.PauseAsync().ConfigureAwait(false))
        {
            Engine.Dispose();
        }
    }

    private static WebApplication Build(ServerOptions options, MintEngine engine, EngineQueue queue, ApiKeys keys)
    {
        // The empty builder reads no appsettings.json from the working folder and watches no files:
        // configuration is the environment plus the settings file the command line names.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(MintServer).Assembly.GetName().Name });
        builder.Configuration.AddEnvironmentVariables();
        if (options.SettingsFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(options.SettingsFile), optional: false, reloadOnChange: false);
        }

        ConfigureLogging(builder, options);
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;

            // gRPC bounds messages itself (MaxReceiveMessageSize), the Tinker routes per request
            // (TinkerApiSettings.MaxBodyBytes); Kestrel's 30 MB body cap would undercut both.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxRequestHeadersTotalSize = options.MaxHeaderBytes;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = options.MaxHeaderBytes;
            var settings = context.Configuration.GetSection("Kestrel");
            kestrel.Configure(settings, reloadOnChange: false);
            if (!settings.GetSection("Endpoints").GetChildren().Any())
            {
                kestrel.Listen(ParseHost(options.Host), options.Port, listen => listen.Protocols = HttpProtocols.Http2);
                if (options.HttpPort is { } httpPort)
                {
                    // Tinker's HTTP protocol: HTTP/1.1 on its own port (listed second in Addresses).
                    kestrel.Listen(ParseHost(options.Host), httpPort, listen => listen.Protocols = HttpProtocols.Http1);
                }
            }
        });

        builder.Services.AddGrpc(grpc =>
            {
                grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
                grpc.MaxSendMessageSize = options.MaxMessageBytes;
            })
            .AddServiceOptions<TrainingService>(service => service.Interceptors.Add<ApiKeyInterceptor>());
        builder.Services.AddGrpcHealthChecks().AddCheck<EngineHealthCheck>("engine");
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(queue);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(new SessionOwners(engine, options.MaxSessionsPerKey));
        builder.Services.AddSingleton<LossRegistry>();
        builder.Services.AddSingleton(new CheckpointStore(options.CheckpointDirectory));
        builder.Services.AddTinkerApi(options.TinkerPollWait, options.TinkerSeqGapTimeout, options.MaxMessageBytes);

        var app = builder.Build();
        app.MapGrpcService<TrainingService>();
        app.MapGrpcHealthChecksService();
        app.MapTinkerApi();
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<TinkerApi>().Stop);
        return app;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, ServerOptions options)
    {
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        if (options.ConfigureLogging is not null)
        {
            options.ConfigureLogging(builder.Logging);
        }
        else if (options.LogFormat == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            });
        }
    }

    private static IPAddress ParseHost(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : host is "*" or "+" ? IPAddress.IPv6Any
        : IPAddress.TryParse(host, out var address) ? address
        : throw new ArgumentException($"--host '{host}' is not an IP address (or 'localhost', or '*' for every interface).", nameof(host));

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
