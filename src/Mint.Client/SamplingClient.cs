using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;

namespace Mint.Client;

/// <summary>
/// Samples from a model's weights (the Python SDK's <c>SamplingClient</c>): a training session's
/// current weights (<see cref="TrainingClient.CreateSamplingClient"/>), or weights saved for sampling
/// (<see cref="ServiceClient.CreateSamplingClientAsync"/>), which it holds in a session of its own
/// until disposed.
/// </summary>
public sealed class SamplingClient : System.IAsyncDisposable
{
    private readonly ITrainingTransport transport;
    private readonly string sessionId;
    private readonly bool ownsSession;
    private int disposed;

    internal SamplingClient(ITrainingTransport transport, string sessionId, bool ownsSession = false)
    {
        this.transport = transport;
        this.sessionId = sessionId;
        this.ownsSession = ownsSession;
    }

    /// <summary>Samples <paramref name="numSamples"/> completions of <paramref name="prompt"/>, with per-token log-probs.</summary>
    public Task<SampleResult> SampleAsync(ModelInput prompt, int numSamples, SamplingParams samplingParams, CancellationToken cancellationToken = default) =>
        transport.SampleAsync(sessionId, prompt, numSamples, samplingParams, cancellationToken);

    /// <summary>Frees the session a client over saved weights holds (once); a training session's sampler leaves it open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (ownsSession && Interlocked.Exchange(ref disposed, 1) == 0)
        {
            await transport.CloseSessionAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
