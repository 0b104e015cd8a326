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

    /// <summary>
    /// A KL-regularised policy loss: PPO's clipped objective minus <paramref name="klCoef"/> times
    /// the k3 estimate of KL(policy ‖ reference) per token.
    /// </summary>
    [Loss("kl_regularised_policy")]
    public static LossResult KlRegularisedPolicy(
        Tensor logprobs,
        [LossInput("logprobs")] Tensor samplingLogprobs,
        Tensor advantages,
        Tensor referenceLogprobs,
        double klCoef = 0.05)
    {
        var ratio = (logprobs - samplingLogprobs).exp();
        var objective = minimum(ratio * advantages, ratio.clamp(0.8, 1.2) * advantages);
        var logRatio = referenceLogprobs - logprobs;
        var kl = logRatio.exp() - logRatio - 1;
        return new LossResult(-(objective - klCoef * kl).sum())
            .Metric("kl", kl.mean())
            .Metric("clip_fraction", ((ratio > 1.2).to(float32) + (ratio < 0.8).to(float32)).mean());
    }

    /// <summary>
    /// A loss whose shape comes from config: focal-weighted cross-entropy with a required
    /// <paramref name="gamma"/>, a floor on the log-probs and a scale.
    /// </summary>
    [Loss("focal_cross_entropy")]
    public static LossResult FocalCrossEntropy(Tensor logprobs, Tensor weights, double gamma, double floor = -30, double scale = 1.0)
    {
        var focus = (1 - logprobs.exp()).clamp_min(1e-6).pow(gamma);
        var loss = -(scale * focus.detach() * logprobs.clamp_min(floor) * weights).sum();
        return new LossResult(loss).Metric("mean_focus", focus.mean()).Metric("gamma", gamma);
    }

    /// <summary>Cross-entropy that also reports the bits per float it was computed in (32 or 64).</summary>
    [Loss("precision_probe")]
    public static LossResult PrecisionProbe(Tensor logprobs, Tensor weights) =>
        BuiltinLosses.CrossEntropy(logprobs, weights).Metric("bits", ones(1, logprobs.dtype, logprobs.device) * (logprobs.element_size() * 8));
}
