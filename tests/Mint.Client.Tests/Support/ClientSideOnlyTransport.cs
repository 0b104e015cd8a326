using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;

namespace Mint.Client.Tests.Support;

/// <summary>
/// A transport that, like a third-party one written before in-engine custom losses existed, keeps
/// the interface's default for <see cref="ITrainingTransport.ForwardBackwardInEngineAsync"/>.
/// </summary>
internal sealed class ClientSideOnlyTransport(ITrainingTransport inner) : ITrainingTransport
{
    public Task<string> CreateSessionAsync(LoraConfig lora, CancellationToken cancellationToken) => inner.CreateSessionAsync(lora, cancellationToken);

    public Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken) => inner.ListSessionsAsync(cancellationToken);

    public Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken) => inner.CloseSessionAsync(sessionId, cancellationToken);

    public Task<ModelInfo> GetInfoAsync(string sessionId, CancellationToken cancellationToken) => inner.GetInfoAsync(sessionId, cancellationToken);

    public Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, CancellationToken cancellationToken) =>
        inner.ForwardAsync(sessionId, data, cancellationToken);

    public Task<ForwardBackwardResult> ForwardBackwardAsync(string sessionId, IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken cancellationToken) =>
        inner.ForwardBackwardAsync(sessionId, data, lossFn, cancellationToken);

    public Task<OptimStepResult> OptimStepAsync(string sessionId, AdamParams adamParams, CancellationToken cancellationToken) =>
        inner.OptimStepAsync(sessionId, adamParams, cancellationToken);

    public Task<SampleResult> SampleAsync(string sessionId, ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken) =>
        inner.SampleAsync(sessionId, prompt, numSamples, samplingParams, cancellationToken);

    public Task SaveStateAsync(string sessionId, string name, CancellationToken cancellationToken) => inner.SaveStateAsync(sessionId, name, cancellationToken);

    public Task LoadStateAsync(string sessionId, string name, CancellationToken cancellationToken) => inner.LoadStateAsync(sessionId, name, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
