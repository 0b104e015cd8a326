using System;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Model;

namespace Mint.Client;

/// <summary>
/// The entry point (the Python SDK's <c>ServiceClient</c>): opens training sessions on an in-process
/// engine, or on a <c>Mint.Server</c> when <see cref="ServiceClientOptions.ServerUrl"/> is set.
/// </summary>
public sealed class ServiceClient : IAsyncDisposable
{
    /// <summary>Connects as <paramref name="options"/> say; the embedded engine loads the base model now.</summary>
    public ServiceClient(ServiceClientOptions options)
        : this(CreateTransport(options))
    {
    }

    /// <summary>Uses a transport you built (e.g. an <see cref="EmbeddedTransport"/> over your own engine).</summary>
    public ServiceClient(ITrainingTransport transport)
    {
        Transport = transport;
    }

    /// <summary>The transport calls go through.</summary>
    public ITrainingTransport Transport { get; }

    /// <summary>Opens a LoRA training session over the base model.</summary>
    public async Task<TrainingClient> CreateLoraTrainingClientAsync(LoraConfig? lora = null, CancellationToken cancellationToken = default)
    {
        var id = await Transport.CreateSessionAsync(lora ?? new LoraConfig(), cancellationToken).ConfigureAwait(false);
        return new TrainingClient(Transport, id);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Transport.DisposeAsync();

    private static ITrainingTransport CreateTransport(ServiceClientOptions options)
    {
        if (options.ServerUrl is not null)
        {
            throw new NotSupportedException("The gRPC transport is not built yet; leave ServerUrl null to train in-process.");
        }

        if (options.BaseModelPath is null)
        {
            throw new ArgumentException("Set BaseModelPath to a model folder (config.json + *.safetensors) to train in-process.", nameof(options));
        }

        var engine = new MintEngine(PretrainedModel.Load(options.BaseModelPath, options.EngineDevice));
        return new EmbeddedTransport(engine, options.CheckpointDirectory, ownsEngine: true);
    }
}
