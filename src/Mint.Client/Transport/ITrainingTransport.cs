using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mint.Dsl;

namespace Mint.Client.Transport;

/// <summary>
/// How a client reaches a training engine: in-process (<see cref="EmbeddedTransport"/>) or over the
/// network (<see cref="GrpcTransport"/>). Each call addresses one training session; built-in losses travel by name and config.
/// </summary>
public interface ITrainingTransport : IAsyncDisposable
{
    /// <summary>Opens a training session with fresh LoRA adapters; returns its id.</summary>
    Task<string> CreateSessionAsync(LoraConfig lora, CancellationToken cancellationToken);

    /// <summary>The ids of the open sessions this client may use (on a server: the caller's own).</summary>
    Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken);

    /// <summary>Closes a session, freeing its adapters and optimizer state; its checkpoints stay.</summary>
    Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>What the session runs on.</summary>
    Task<ModelInfo> GetInfoAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Per-token target log-probs, no gradient.</summary>
    Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, CancellationToken cancellationToken);

    /// <summary>A built-in loss inside the model's forward/backward pass; gradients accumulate.</summary>
    Task<ForwardBackwardResult> ForwardBackwardAsync(string sessionId, IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken cancellationToken);

    /// <summary>
    /// A custom DSL loss inside the model's forward/backward pass, in one call, as built-ins run:
    /// in-process the definition itself runs; a server runs the loss graph the generator lowered from
    /// its body. Throws <see cref="InEngineLossUnavailableException"/> (having sent nothing that
    /// trains) when this transport cannot; the client then takes the two-pass path. Transports without
    /// such a call keep this default.
    /// </summary>
    Task<ForwardBackwardResult> ForwardBackwardInEngineAsync(string sessionId, IReadOnlyList<Datum> data, LossDefinition loss, CancellationToken cancellationToken) =>
        throw new InEngineLossUnavailableException(loss.Name, $"{GetType().Name} runs custom losses only on the client");

    /// <summary>An Adam(W) step from the accumulated gradients.</summary>
    Task<OptimStepResult> OptimStepAsync(string sessionId, AdamParams adamParams, CancellationToken cancellationToken);

    /// <summary>Samples completions of a prompt with the session's current weights.</summary>
    Task<SampleResult> SampleAsync(string sessionId, ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken);

    /// <summary>Saves adapters and optimizer state under a checkpoint name.</summary>
    Task SaveStateAsync(string sessionId, string name, CancellationToken cancellationToken);

    /// <summary>Restores adapters and optimizer state from a checkpoint name.</summary>
    Task LoadStateAsync(string sessionId, string name, CancellationToken cancellationToken);

    // Adapters and checkpoints (issue #13). Default bodies refuse, so a transport that does not
    // speak these yet still compiles and says plainly what it lacks.

    /// <summary>Per-token target log-probs, plus what <paramref name="options"/> ask for (top-k next tokens per position).</summary>
    Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, ForwardOptions options, CancellationToken cancellationToken) =>
        options.TopKLogprobs == 0 ? ForwardAsync(sessionId, data, cancellationToken) : throw Unsupported("top-k log-probs in forward");

    /// <summary>Opens a session whose adapters start from <paramref name="weights"/>; returns its id.</summary>
    Task<string> CreateSessionFromWeightsAsync(LoraWeights weights, CancellationToken cancellationToken) =>
        throw Unsupported("creating a session from adapter weights");

    /// <summary>Opens a session whose adapters start from the sampler weights saved under <paramref name="name"/>; returns its id.</summary>
    Task<string> CreateSessionFromSamplerWeightsAsync(string name, CancellationToken cancellationToken) =>
        throw Unsupported("creating a session from sampler weights");

    /// <summary>The session's adapters as values.</summary>
    Task<LoraWeights> GetWeightsAsync(string sessionId, CancellationToken cancellationToken) =>
        throw Unsupported("reading adapter weights");

    /// <summary>Saves the adapters alone (the peft layout) under a checkpoint name, for sampling clients and other tools.</summary>
    Task SaveWeightsForSamplerAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        throw Unsupported("saving weights for a sampler");

    /// <summary>The checkpoints this client may use (on a server: the caller's own), by name.</summary>
    Task<IReadOnlyList<CheckpointInfo>> ListCheckpointsAsync(CancellationToken cancellationToken) =>
        throw Unsupported("listing checkpoints");

    /// <summary>Deletes a checkpoint by name.</summary>
    Task DeleteCheckpointAsync(string name, CancellationToken cancellationToken) =>
        throw Unsupported("deleting checkpoints");

    /// <summary>Restores the adapters alone from a training checkpoint and restarts the optimizer (Tinker's <c>load_state</c>).</summary>
    Task LoadWeightsAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        throw Unsupported("loading weights without the optimizer state");

    /// <summary>What the training checkpoint <paramref name="name"/> was trained as: base model and LoRA config (Tinker's <c>weights_info</c>).</summary>
    Task<CheckpointWeightsInfo> GetWeightsInfoAsync(string name, CancellationToken cancellationToken) =>
        throw Unsupported("reading what a checkpoint was trained as");

    private NotSupportedException Unsupported(string what) => new($"{GetType().Name} does not support {what}.");
}
