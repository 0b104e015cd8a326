using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mint.Dsl;
using Mint.Engine;
using Mint.Engine.Adapters;
using Mint.Engine.Training;

namespace Mint.Client.Transport;

/// <summary>
/// Runs the engine in-process: no server, no serialization. Custom losses run inside the engine's
/// forward/backward pass like built-ins (the generated definition itself, no graph needed). Engine calls run on the thread pool so
/// callers stay responsive; cancellation is honoured until a call starts computing.
/// </summary>
public sealed class EmbeddedTransport : ITrainingTransport
{
    private readonly bool ownsEngine;

    /// <summary>Uses <paramref name="engine"/>, saving checkpoints under <paramref name="checkpointRoot"/>.</summary>
    public EmbeddedTransport(MintEngine engine, string checkpointRoot, bool ownsEngine = false)
    {
        Engine = engine;
        CheckpointRoot = checkpointRoot;
        this.ownsEngine = ownsEngine;
    }

    /// <summary>The engine calls go to.</summary>
    public MintEngine Engine { get; }

    /// <summary>The folder checkpoint names resolve in.</summary>
    public string CheckpointRoot { get; }

    /// <inheritdoc />
    public Task<string> CreateSessionAsync(LoraConfig lora, CancellationToken cancellationToken) =>
        Run(() => Engine.CreateSession(lora).Id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken) =>
        Run(() => Engine.SessionIds, cancellationToken);

    /// <inheritdoc />
    public Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        Run(() => Engine.CloseSession(sessionId), cancellationToken);

    /// <inheritdoc />
    public Task<ModelInfo> GetInfoAsync(string sessionId, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).Info, cancellationToken);

    /// <inheritdoc />
    public Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).Forward(data), cancellationToken);

    /// <inheritdoc />
    public Task<ForwardBackwardResult> ForwardBackwardAsync(string sessionId, IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).ForwardBackward(data, lossFn), cancellationToken);

    /// <inheritdoc />
    public Task<ForwardBackwardResult> ForwardBackwardInEngineAsync(string sessionId, IReadOnlyList<Datum> data, LossDefinition loss, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).ForwardBackward(data, loss), cancellationToken);

    /// <inheritdoc />
    public Task<OptimStepResult> OptimStepAsync(string sessionId, AdamParams adamParams, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).OptimStep(adamParams), cancellationToken);

    /// <inheritdoc />
    public Task<SampleResult> SampleAsync(string sessionId, ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).Sample(prompt, numSamples, samplingParams), cancellationToken);

    /// <inheritdoc />
    public Task SaveStateAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).SaveState(CheckpointNames.Resolve(CheckpointRoot, name)), cancellationToken);

    /// <inheritdoc />
    public Task LoadStateAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).LoadState(CheckpointNames.Resolve(CheckpointRoot, name)), cancellationToken);

    /// <inheritdoc />
    public Task LoadWeightsAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).LoadWeights(CheckpointNames.Resolve(CheckpointRoot, name)), cancellationToken);

    /// <inheritdoc />
    public Task<CheckpointWeightsInfo> GetWeightsInfoAsync(string name, CancellationToken cancellationToken) =>
        Run(() => CheckpointOrigin.Read(CheckpointNames.Resolve(CheckpointRoot, name)).WeightsInfo, cancellationToken);

    /// <inheritdoc />
    public Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, ForwardOptions options, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).Forward(data, options), cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateSessionFromWeightsAsync(LoraWeights weights, CancellationToken cancellationToken) =>
        Run(() => Engine.CreateSession(weights).Id, cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateSessionFromSamplerWeightsAsync(string name, CancellationToken cancellationToken) =>
        Run(() => Engine.CreateSession(PeftAdapterFolder.Read(SamplerWeightsFolder(name))).Id, cancellationToken);

    /// <inheritdoc />
    public Task<LoraWeights> GetWeightsAsync(string sessionId, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).ExportWeights(), cancellationToken);

    /// <inheritdoc />
    public Task SaveWeightsForSamplerAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        Run(() => Engine.GetSession(sessionId).SaveWeightsForSampler(CheckpointNames.Resolve(CheckpointRoot, name)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckpointInfo>> ListCheckpointsAsync(CancellationToken cancellationToken) =>
        Run(() => CheckpointCatalog.List(CheckpointRoot), cancellationToken);

    /// <inheritdoc />
    public Task DeleteCheckpointAsync(string name, CancellationToken cancellationToken) =>
        Run(() => CheckpointCatalog.Delete(CheckpointRoot, name), cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (ownsEngine)
        {
            Engine.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private string SamplerWeightsFolder(string name)
    {
        var folder = CheckpointNames.Resolve(CheckpointRoot, name);
        return CheckpointCatalog.Exists(CheckpointRoot, name) ? folder : throw new CheckpointException($"There is no checkpoint '{name}'.");
    }

    private static Task<T> Run<T>(System.Func<T> call, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return call();
        }, cancellationToken);

    private static Task Run(System.Action call, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            call();
        }, cancellationToken);
}
