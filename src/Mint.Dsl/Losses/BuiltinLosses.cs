using TorchSharp;
using static TorchSharp.torch;

namespace Mint.Dsl;

/// <summary>
/// The built-in losses, written once in the DSL. The engine executes these definitions inside the
/// model's forward/backward pass; clients select them with <see cref="LossFn"/>.
/// Losses are sums over tokens and datums, as in the Python SDK.
/// </summary>
public static partial class BuiltinLosses
{
    /// <summary>Supervised learning: <c>-(target_logprobs * weights).sum()</c>.</summary>
    [Loss("cross_entropy")]
    public static LossResult CrossEntropy(Tensor targetLogprobs, Tensor weights) =>
        new(-(targetLogprobs * weights).sum());

    /// <summary>Policy gradient with an importance ratio against the sampling policy.</summary>
    [Loss("importance_sampling")]
    public static LossResult ImportanceSampling(
        Tensor targetLogprobs,
        [LossInput("logprobs")] Tensor samplingLogprobs,
        Tensor advantages)
    {
        var ratio = (targetLogprobs - samplingLogprobs).exp();
        return new(-(ratio * advantages).sum());
    }

    /// <summary>Proximal policy optimisation: the pessimistic minimum of the plain and the clipped objective.</summary>
    [Loss("ppo")]
    [LossConfigOrder(nameof(clipLowThreshold), nameof(clipHighThreshold))]
    public static LossResult Ppo(
        Tensor targetLogprobs,
        [LossInput("logprobs")] Tensor samplingLogprobs,
        Tensor advantages,
        [LossConfig(Min = 0)] double clipLowThreshold = 0.8,
        [LossConfig(Min = 0)] double clipHighThreshold = 1.2)
    {
        var ratio = (targetLogprobs - samplingLogprobs).exp();
        var clipped = ratio.clamp(clipLowThreshold, clipHighThreshold);
        return new(-minimum(ratio * advantages, clipped * advantages).sum());
    }

    /// <summary>Clipped importance-sampling policy optimisation: the clipped ratio weighs a plain policy gradient.</summary>
    [Loss("cispo")]
    [LossConfigOrder(nameof(clipLowThreshold), nameof(clipHighThreshold))]
    public static LossResult Cispo(
        Tensor targetLogprobs,
        [LossInput("logprobs")] Tensor samplingLogprobs,
        Tensor advantages,
        [LossConfig(Min = 0)] double clipLowThreshold = 0.0,
        [LossConfig(Min = 0)] double clipHighThreshold = 4.0)
    {
        var clipped = (targetLogprobs - samplingLogprobs).exp().clamp(clipLowThreshold, clipHighThreshold);
        return new(-(clipped.detach() * targetLogprobs * advantages).sum());
    }

    /// <summary>Direct reward optimisation: policy gradient with a quadratic penalty on the log-ratio.</summary>
    [Loss("dro")]
    public static LossResult Dro(
        Tensor targetLogprobs,
        [LossInput("logprobs")] Tensor samplingLogprobs,
        Tensor advantages,
        [LossConfig(Min = 0)] double beta)
    {
        var q = (targetLogprobs - samplingLogprobs).square();
        return new(-(targetLogprobs * advantages - 0.5 * beta * q).sum());
    }
}
