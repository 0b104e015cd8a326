using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;

namespace Mint.Client;

/// <summary>Samples from a training session's current weights (the Python SDK's <c>SamplingClient</c>).</summary>
public sealed class SamplingClient
{
    private readonly ITrainingTransport transport;
    private readonly string sessionId;

    internal SamplingClient(ITrainingTransport transport, string sessionId)
    {
        this.transport = transport;
        this.sessionId = sessionId;
    }

    /// <summary>Samples <paramref name="numSamples"/> completions of <paramref name="prompt"/>, with per-token log-probs.</summary>
    public Task<SampleResult> SampleAsync(ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken = default) =>
        transport.SampleAsync(sessionId, prompt, numSamples, samplingParams, cancellationToken);
}
