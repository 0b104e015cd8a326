using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;

namespace Mint.Client.Tests.Support;

/// <summary>Passes every call to a real transport and records which operations were sent.</summary>
internal sealed class CountingTransport(ITrainingTransport inner) : ITrainingTransport
{
    public List<string> Calls { get; } = [];

    public Task<string> CreateSessionAsync(LoraConfig lora, CancellationToken cancellationToken) =>
        Record("create_session", inner.CreateSessionAsync(lora, cancellationToken));

    public Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken) =>
        Record("list_sessions", inner.ListSessionsAsync(cancellationToken));

    public Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        Record("close_session", inner.CloseSessionAsync(sessionId, cancellationToken));

    public Task<ModelInfo> GetInfoAsync(string sessionId, CancellationToken cancellationToken) =>
        Record("get_info", inner.GetInfoAsync(sessionId, cancellationToken));

    public Task<ForwardResult> ForwardAsync(string sessionId, IReadOnlyList<Datum> data, CancellationToken cancellationToken) =>
        Record("forward", inner.ForwardAsync(sessionId, data, cancellationToken));

    public Task<ForwardBackwardResult> ForwardBackwardAsync(string sessionId, IReadOnlyList<Datum> data, LossFn lossFn, CancellationToken cancellationToken) =>
        Record("forward_backward:" + lossFn.Name, inner.ForwardBackwardAsync(sessionId, data, lossFn, cancellationToken));

    public Task<ForwardBackwardResult> ForwardBackwardInEngineAsync(string sessionId, IReadOnlyList<Datum> data, LossDefinition loss, CancellationToken cancellationToken) =>
        Record("forward_backward_in_engine:" + loss.Name, inner.ForwardBackwardInEngineAsync(sessionId, data, loss, cancellationToken));

    public Task<OptimStepResult> OptimStepAsync(string sessionId, AdamParams adamParams, CancellationToken cancellationToken) =>
        Record("optim_step", inner.OptimStepAsync(sessionId, adamParams, cancellationToken));

    public Task<SampleResult> SampleAsync(string sessionId, ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken) =>
        Record("sample", inner.SampleAsync(sessionId, prompt, numSamples, samplingParams, cancellationToken));

    public Task SaveStateAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        Record("save_state", inner.SaveStateAsync(sessionId, name, cancellationToken));

    public Task LoadStateAsync(string sessionId, string name, CancellationToken cancellationToken) =>
        Record("load_state", inner.LoadStateAsync(sessionId, name, cancellationToken));

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private T Record<T>(string operation, T call)
    {
        Calls.Add(operation);
        return call;
    }
}
