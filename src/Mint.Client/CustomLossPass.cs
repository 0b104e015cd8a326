using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mint.Client.Transport;
using Mint.Dsl;

namespace Mint.Client;

/// <summary>
/// A custom loss, run the way the protocol allows: ask for the log-probs (<c>forward</c>), compute the
/// loss and dL/dlogprobs on the client's device with the generated code, then send the gradient back
/// as per-token weights in a linear <c>cross_entropy</c> pass. Cross-entropy's gradient with respect
/// to the log-probs is <c>-weights</c>, so weights = -dL/dlogprobs reproduces the custom gradient.
/// A multi-target loss gets a <c>[T, K]</c> gradient, which built-ins (one target per position) do
/// not read: its second pass is <see cref="GradientPassLosses.CandidateGradient"/>, the same linear
/// form over K candidates, run inside the engine's pass (so it needs a transport that runs loss graphs).
/// </summary>
internal static class CustomLossPass
{
    public static async Task<ForwardBackwardResult> RunAsync(
        ITrainingTransport transport,
        string sessionId,
        IReadOnlyList<Datum> data,
        LossDefinition loss,
        LossComputeOptions? options,
        CancellationToken cancellationToken)
    {
        await CompleteReport.ValidateAsync(transport, sessionId, data, loss, cancellationToken).ConfigureAwait(false);
        if (options?.Device is { } device)
        {
            // A device this process cannot use fails here, before the forward pass is sent.
            ComputeDevice.Check(device, nameof(LossComputeOptions.Device));
        }

        ForwardResult forward;
        try
        {
            forward = await transport.ForwardAsync(sessionId, data.Select(TargetsOnly).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (BatchValidationException error)
        {
            // The forward pass is this loss's first step: its model-side rejections are the loss's.
            throw CompleteReport.ForLoss(error, loss);
        }

        var gradient = loss.ComputeGradient(data, forward.Logprobs, options);
        var weighted = data.Select((datum, index) => Weighted(datum, gradient.LogprobGradients[index])).ToList();
        var pass = loss.Contract.IsMultiTarget
            ? await CandidatePassAsync(transport, sessionId, weighted, loss, cancellationToken).ConfigureAwait(false)
            : await transport.ForwardBackwardAsync(sessionId, weighted, LossFn.CrossEntropy, cancellationToken).ConfigureAwait(false);

        var metrics = new Dictionary<string, double> { [ForwardBackwardResult.LossMetric] = gradient.Loss };
        foreach (var (name, value) in gradient.Metrics)
        {
            metrics[name] = value;
        }

        return new ForwardBackwardResult(metrics, pass.LossFnOutputs) { Execution = LossExecution.TwoPass };
    }

    private static async Task<ForwardBackwardResult> CandidatePassAsync(
        ITrainingTransport transport, string sessionId, IReadOnlyList<Datum> weighted, LossDefinition loss, CancellationToken cancellationToken)
    {
        try
        {
            return await transport.ForwardBackwardInEngineAsync(sessionId, weighted, GradientPassLosses.CandidateGradientLoss, cancellationToken).ConfigureAwait(false);
        }
        catch (InEngineLossUnavailableException error)
        {
            // Nothing trained yet (the forward pass only read log-probs): refuse rather than drop the K axis.
            throw new InEngineLossUnavailableException(loss.Name,
                $"it reads multi-target log-probs, and this transport cannot send a [T, K] gradient back ({error.Reason})");
        }
    }

    private static Datum TargetsOnly(Datum datum) => new(
        datum.ModelInput,
        new Dictionary<string, TensorData> { ["target_tokens"] = datum.LossFnInputs["target_tokens"] });

    private static Datum Weighted(Datum datum, TensorData gradient) => new(
        datum.ModelInput,
        new Dictionary<string, TensorData>
        {
            ["target_tokens"] = datum.LossFnInputs["target_tokens"],
            ["weights"] = TensorData.FromSingles(gradient.ToSingles().Select(value => -value), [.. gradient.Shape]),
        });
}
