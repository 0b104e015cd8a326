using Mint.Dsl;
using static TorchSharp.torch;

namespace Mint.Client.Tests.Support;

/// <summary>Custom losses defined by the tests.</summary>
public static partial class TestLosses
{
    /// <summary>The built-in cross-entropy declared as a custom loss (so it takes the client-side path), with a metric.</summary>
    [Loss("custom_cross_entropy")]
    public static LossResult CustomCrossEntropy(Tensor logprobs, Tensor weights) =>
        BuiltinLosses.CrossEntropy(logprobs, weights).Metric("weighted_tokens", weights.sum());

    /// <summary>
    /// A composed loss: cross-entropy plus a KL-to-reference estimate and an L2 penalty on the
    /// log-probs, each a named, weighted term. dL/dlogprobs = w · (-1 + klWeight + 2 · l2Weight · logprobs).
    /// </summary>
    [Loss("regularized_sft")]
    public static LossResult RegularizedSft(Tensor logprobs, Tensor weights, Tensor referenceLogprobs, double klWeight = 0.1, double l2Weight = 0.01)
    {
        var nll = -(logprobs * weights).sum();
        var kl = ((logprobs - referenceLogprobs) * weights).sum();
        var l2 = (logprobs.square() * weights).sum();
        return new LossResult(nll)
            .Term("kl", kl, klWeight)
            .Term("l2", l2, l2Weight)
            .Metric("weighted_tokens", weights.sum());
    }
}
