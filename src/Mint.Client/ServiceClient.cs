using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Client.Transport.Tinker;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Compute;

namespace Mint.Client;

/// <summary>
/// The entry point (the Python SDK's <c>ServiceClient</c>): opens training sessions on an in-process
/// engine, or on a server when <see cref="ServiceClientOptions.ServerUrl"/> is set (over gRPC or Tinker's HTTP protocol).
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

    /// <summary>
    /// Opens a LoRA training session whose adapters start from <paramref name="weights"/> (e.g. a peft
    /// adapter trained elsewhere: <c>PeftAdapterFolder.Read(folder)</c>), with fresh optimizer state.
    /// The weights are checked against the base model first; every problem is named.
    /// </summary>
    public async Task<TrainingClient> CreateLoraTrainingClientAsync(LoraWeights weights, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var id = await Transport.CreateSessionFromWeightsAsync(weights, cancellationToken).ConfigureAwait(false);
        return new TrainingClient(Transport, id);
    }

    /// <summary>
    /// A sampling client over weights saved with <see cref="TrainingClient.SaveWeightsForSamplerAsync"/>
    /// (Tinker's <c>create_sampling_client(model_path)</c>). It holds a session of its own; dispose it to free it.
    /// </summary>
    public async Task<SamplingClient> CreateSamplingClientAsync(string samplerWeightsName, CancellationToken cancellationToken = default)
    {
        var id = await Transport.CreateSessionFromSamplerWeightsAsync(samplerWeightsName, cancellationToken).ConfigureAwait(false);
        return new SamplingClient(Transport, id, ownsSession: true);
    }

    /// <summary>The checkpoints this client may use (on a server: those of its API key), by name.</summary>
    public Task<IReadOnlyList<CheckpointInfo>> ListCheckpointsAsync(CancellationToken cancellationToken = default) =>
        Transport.ListCheckpointsAsync(cancellationToken);

    /// <summary>Deletes the checkpoint <paramref name="name"/> (training state or sampler weights).</summary>
    public Task DeleteCheckpointAsync(string name, CancellationToken cancellationToken = default) =>
        Transport.DeleteCheckpointAsync(name, cancellationToken);

    /// <summary>The ids of the open training sessions this client may use (on a server: those of its API key).</summary>
    public Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken = default) =>
        Transport.ListSessionsAsync(cancellationToken);

    /// <summary>
    /// A training client for a session that already exists (e.g. one from <see cref="ListSessionsAsync"/>
    /// after the process that created it went away). Checks that the session exists and is yours.
    /// </summary>
    public async Task<TrainingClient> ResumeTrainingClientAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await Transport.GetInfoAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return new TrainingClient(Transport, sessionId);
    }

    /// <summary>
    /// Opens a fresh session and loads checkpoint <paramref name="checkpointName"/> into it: how
    /// training resumes after its session is gone (sessions live in the engine's memory, so a server
    /// restart loses them; checkpoints stay). <paramref name="lora"/> must be the config the
    /// checkpoint was trained with, or the load is refused with a <c>CheckpointException</c>
    /// naming the difference; on any failure the new session is closed again.
    /// </summary>
    public async Task<TrainingClient> ResumeFromCheckpointAsync(string checkpointName, LoraConfig lora, CancellationToken cancellationToken = default)
    {
        var training = await CreateLoraTrainingClientAsync(lora, cancellationToken).ConfigureAwait(false);
        try
        {
            await training.LoadStateAsync(checkpointName, cancellationToken).ConfigureAwait(false);
            return training;
        }
        catch
        {
            await training.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What the training checkpoint <paramref name="checkpointName"/> was trained as: base model and LoRA config (Tinker's <c>weights_info</c>).</summary>
    public Task<CheckpointWeightsInfo> GetWeightsInfoAsync(string checkpointName, CancellationToken cancellationToken = default) =>
        Transport.GetWeightsInfoAsync(checkpointName, cancellationToken);

    /// <summary>
    /// Opens a session with the LoRA config the training checkpoint <paramref name="checkpointName"/>
    /// was trained with and loads it: the adapters alone with a fresh optimizer (Tinker's
    /// <c>create_training_client_from_state</c>), or with <paramref name="withOptimizer"/> the
    /// optimizer state and step too, so training continues bit for bit
    /// (<c>create_training_client_from_state_with_optimizer</c>). On any failure the new session is
    /// closed again. Over Tinker's protocol the name is the checkpoint's full <c>tinker://</c> path.
    /// </summary>
    public async Task<TrainingClient> CreateTrainingClientFromStateAsync(string checkpointName, bool withOptimizer = false, CancellationToken cancellationToken = default)
    {
        var info = await GetWeightsInfoAsync(checkpointName, cancellationToken).ConfigureAwait(false);
        var training = await CreateLoraTrainingClientAsync(info.Lora, cancellationToken).ConfigureAwait(false);
        try
        {
            await (withOptimizer
                ? training.LoadStateAsync(checkpointName, cancellationToken)
                : training.LoadWeightsAsync(checkpointName, cancellationToken)).ConfigureAwait(false);
            return training;
        }
        catch
        {
            await training.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Transport.DisposeAsync();

    private static ITrainingTransport CreateTransport(ServiceClientOptions options)
    {
        var tinkerUrl = options.ServerUrl is null && options.BaseModelPath is null ? TinkerEnvironment.BaseUrl() : null;
        if (tinkerUrl is not null || (options.ServerUrl is not null && options.Protocol == ServerProtocol.Tinker))
        {
            return new TinkerTransport(new TinkerTransportOptions
            {
                BaseUrl = options.ServerUrl ?? tinkerUrl!,
                ApiKey = options.ApiKey ?? TinkerEnvironment.ApiKey(),
                BaseModel = options.BaseModel,
            });
        }

        if (options.ServerUrl is not null)
        {
            return new GrpcTransport(new GrpcTransportOptions
            {
                ServerUrl = options.ServerUrl,
                ApiKey = options.ApiKey ?? Environment.GetEnvironmentVariable(ServiceClientOptions.ApiKeyVariable),
                Retry = options.Retry,
            });
        }

        if (options.BaseModelPath is null)
        {
            throw new ArgumentException("Set BaseModelPath to a model folder (config.json + *.safetensors) to train in-process.", nameof(options));
        }

        var engine = MintEngine.Load(options.BaseModelPath, options.Engine ?? EngineOptions.Default);
        return new EmbeddedTransport(engine, options.CheckpointDirectory, ownsEngine: true);
    }
}
