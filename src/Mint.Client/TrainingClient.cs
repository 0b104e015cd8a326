using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Engine.Adapters;

namespace Mint.Client;

/// <summary>
/// Trains one LoRA session (the Python SDK's <c>TrainingClient</c>). Built-in losses run on the
/// engine; custom losses run inside the engine's pass where the transport can, else here, on
/// the device and in the precision of <see cref="LossOptions"/>, with the gradient sent back (see <see cref="CustomLossRouting"/>).
/// </summary>
public sealed class TrainingClient
{
    private readonly ITrainingTransport transport;

    internal TrainingClient(ITrainingTransport transport, string sessionId)
    {
        this.transport = transport;
        SessionId = sessionId;
    }

    /// <summary>The session this client trains.</summary>
    public string SessionId { get; }

    private LossComputeOptions lossOptions = LossComputeOptions.Default;

    /// <summary>
    /// Where and in what precision custom losses are computed on this machine; CPU float32 by default.
    /// Settable at any time (e.g. <c>training.LossOptions = new() { Device = torch.CUDA }</c>);
    /// one call can override it with the <see cref="ForwardBackwardCustomAsync(IReadOnlyList{Datum}, LossDefinition, LossComputeOptions, CancellationToken)"/> overload.
    /// </summary>
    public LossComputeOptions LossOptions
    {
        get => lossOptions;
        set => lossOptions = value ?? throw new ArgumentNullException(nameof(LossOptions), "LossOptions cannot be null; use LossComputeOptions.Default for CPU float32.");
    }

    /// <summary>
    /// Where <see cref="ForwardBackwardCustomAsync(IReadOnlyList{Datum}, LossDefinition, CancellationToken)"/> runs a custom loss: inside the engine's pass when
    /// the transport can (the default), or forced either way.
    /// </summary>
    public CustomLossRouting CustomLossRouting { get; set; } = CustomLossRouting.Auto;

    /// <summary>A client for the same session whose custom losses take <paramref name="routing"/>.</summary>
    public TrainingClient WithCustomLossRouting(CustomLossRouting routing) =>
        new(transport, SessionId) { LossOptions = LossOptions, CustomLossRouting = routing };

    /// <summary>What the session runs on, and its step.</summary>
    public Task<ModelInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
        transport.GetInfoAsync(SessionId, cancellationToken);

    /// <summary>Per-token target log-probs of each datum; no gradient.</summary>
    public Task<ForwardResult> ForwardAsync(IReadOnlyList<Datum> data, CancellationToken cancellationToken = default) =>
        transport.ForwardAsync(SessionId, data, cancellationToken);

    /// <summary>Per-token target log-probs of each datum, and the top-k next tokens per position when <paramref name="options"/> ask; no gradient.</summary>
    public Task<ForwardResult> ForwardAsync(IReadOnlyList<Datum> data, ForwardOptions options, CancellationToken cancellationToken = default) =>
        transport.ForwardAsync(SessionId, data, options, cancellationToken);

    /// <summary>
    /// Runs a built-in loss inside the engine's forward/backward pass; gradients accumulate until
    /// <see cref="OptimStepAsync"/>. The batch is validated here first against the loss's contract;
    /// a rejection names every contract and model-side problem at once.
    /// </summary>
    public async Task<ForwardBackwardResult> ForwardBackwardAsync(IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken cancellationToken = default)
    {
        await CompleteReport.ValidateAsync(transport, SessionId, data, lossFn.Definition, cancellationToken).ConfigureAwait(false);
        return await transport.ForwardBackwardAsync(SessionId, data, lossFn, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a custom DSL loss. The batch is validated here first. Where the transport can, the loss
    /// runs inside the engine's forward/backward pass in one call, as built-ins do (in-process: the
    /// definition itself; on a server: the loss graph lowered from its body, registered once per
    /// session). Otherwise (or with <see cref="CustomLossRouting.TwoPass"/>) the client gets the
    /// log-probs, computes the loss, its metrics and dL/dlogprobs on <see cref="LossOptions"/>' device,
    /// and sends the gradient back as per-token weights. The result's <c>loss:sum</c> is the custom
    /// loss, its metrics are merged in, and <see cref="ForwardBackwardResult.Execution"/> says which path ran.
    /// </summary>
    public Task<ForwardBackwardResult> ForwardBackwardCustomAsync(IReadOnlyList<Datum> data, LossDefinition loss, CancellationToken cancellationToken = default) =>
        ForwardBackwardCustomAsync(data, loss, LossOptions, cancellationToken);

    /// <summary>
    /// <see cref="ForwardBackwardCustomAsync(IReadOnlyList{Datum}, LossDefinition, CancellationToken)"/> with
    /// <paramref name="options"/> instead of <see cref="LossOptions"/> for this call only. Options that
    /// ask for client-side compute (a device, float64, term gradient norms) take the two-pass path.
    /// </summary>
    public async Task<ForwardBackwardResult> ForwardBackwardCustomAsync(IReadOnlyList<Datum> data, LossDefinition loss, LossComputeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(options);
        await CompleteReport.ValidateAsync(transport, SessionId, data, loss, cancellationToken).ConfigureAwait(false);
        var clientSide = ClientSideReason(options);
        if (CustomLossRouting == CustomLossRouting.InEngine && clientSide is not null)
        {
            throw new InEngineLossUnavailableException(loss.Name, clientSide);
        }

        if (CustomLossRouting != CustomLossRouting.TwoPass && clientSide is null)
        {
            try
            {
                return await transport.ForwardBackwardInEngineAsync(SessionId, data, loss, cancellationToken).ConfigureAwait(false) with
                {
                    Execution = LossExecution.InEngine,
                };
            }
            catch (InEngineLossUnavailableException) when (CustomLossRouting == CustomLossRouting.Auto)
            {
                // Nothing was sent that trains: the two passes below are the whole call.
            }
        }

        return await CustomLossPass.RunAsync(transport, SessionId, data, loss, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why <paramref name="options"/> need the loss computed here, or null when the engine's pass can run it.</summary>
    private static string? ClientSideReason(LossComputeOptions options) =>
        options.TermGradientNorms ? "term gradient norms (LossComputeOptions.TermGradientNorms) are measured on the client, in the two-pass path"
        : options.Precision != LossPrecision.Float32 ? $"LossComputeOptions.Precision {options.Precision} is computed on the client, in the two-pass path (the engine's pass is float32)"
        : options.Device is not null ? $"LossComputeOptions.Device {options.Device} is where the client computes, in the two-pass path"
        : null;

    /// <summary>Updates the adapters with Adam(W) from the accumulated gradients.</summary>
    public Task<OptimStepResult> OptimStepAsync(AdamParams adamParams, CancellationToken cancellationToken = default) =>
        transport.OptimStepAsync(SessionId, adamParams, cancellationToken);

    /// <summary>Saves adapters and optimizer state under <paramref name="name"/>.</summary>
    public Task SaveStateAsync(string name, CancellationToken cancellationToken = default) =>
        transport.SaveStateAsync(SessionId, name, cancellationToken);

    /// <summary>
    /// Restores adapters, optimizer state and step saved under <paramref name="name"/>, so training
    /// continues bit for bit (Tinker's <c>load_state_with_optimizer</c>); accumulated gradients are dropped.
    /// </summary>
    public Task LoadStateAsync(string name, CancellationToken cancellationToken = default) =>
        transport.LoadStateAsync(SessionId, name, cancellationToken);

    /// <summary>
    /// Restores the adapters saved under <paramref name="name"/> and restarts the optimizer (zero
    /// moments, step 0), as Tinker's <c>load_state</c>: a new run that starts from trained weights.
    /// Accumulated gradients are dropped.
    /// </summary>
    public Task LoadWeightsAsync(string name, CancellationToken cancellationToken = default) =>
        transport.LoadWeightsAsync(SessionId, name, cancellationToken);

    /// <summary>The session's adapters as values (float32 copies).</summary>
    public Task<LoraWeights> GetWeightsAsync(CancellationToken cancellationToken = default) =>
        transport.GetWeightsAsync(SessionId, cancellationToken);

    /// <summary>
    /// Writes the session's adapters to the local <paramref name="folder"/> as a peft adapter
    /// (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>), which
    /// <c>peft.PeftModel.from_pretrained(base, folder)</c> loads.
    /// </summary>
    public async Task ExportPeftAdapterAsync(string folder, CancellationToken cancellationToken = default)
    {
        var info = await transport.GetInfoAsync(SessionId, cancellationToken).ConfigureAwait(false);
        var weights = await transport.GetWeightsAsync(SessionId, cancellationToken).ConfigureAwait(false);
        PeftAdapterFolder.Write(folder, weights, info.ModelName);
    }

    /// <summary>
    /// Saves the adapters alone under <paramref name="name"/> in the peft layout (Tinker's
    /// <c>save_weights_for_sampler</c>), for <see cref="ServiceClient.CreateSamplingClientAsync"/>.
    /// </summary>
    public Task SaveWeightsForSamplerAsync(string name, CancellationToken cancellationToken = default) =>
        transport.SaveWeightsForSamplerAsync(SessionId, name, cancellationToken);

    /// <summary>Saves the weights under <paramref name="name"/> and opens a sampling client over them; later training does not change what it samples.</summary>
    public async Task<SamplingClient> SaveWeightsAndGetSamplingClientAsync(string name, CancellationToken cancellationToken = default)
    {
        await transport.SaveWeightsForSamplerAsync(SessionId, name, cancellationToken).ConfigureAwait(false);
        var id = await transport.CreateSessionFromSamplerWeightsAsync(name, cancellationToken).ConfigureAwait(false);
        return new SamplingClient(transport, id, ownsSession: true);
    }

    /// <summary>
    /// Closes the session on the engine or server, freeing its adapters and optimizer state.
    /// Checkpoints stay; every later call on this client fails with <c>SessionNotFoundException</c>.
    /// </summary>
    public Task CloseAsync(CancellationToken cancellationToken = default) =>
        transport.CloseSessionAsync(SessionId, cancellationToken);

    /// <summary>A sampling client over this session's current weights.</summary>
    public SamplingClient CreateSamplingClient() => new(transport, SessionId);
}
