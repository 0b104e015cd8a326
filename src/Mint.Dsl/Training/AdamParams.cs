using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>Adam(W) hyper-parameters for one optimizer step (the Python SDK's <c>AdamParams</c>).</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">First-moment decay.</param>
/// <param name="Beta2">Second-moment decay.</param>
/// <param name="Eps">Denominator floor.</param>
/// <param name="WeightDecay">Decoupled weight decay (AdamW), multiplied by the learning rate.</param>
/// <param name="GradClipNorm">
/// Largest global gradient norm (all adapters together); a larger gradient is scaled down to it before
/// the update, as <c>torch.nn.utils.clip_grad_norm_</c> does. 0 turns clipping off (as in Tinker). The
/// reported <c>grad_norm</c> is the norm before clipping.
/// </param>
public sealed record AdamParams(
    double LearningRate = 1e-4,
    double Beta1 = 0.9,
    double Beta2 = 0.95,
    double Eps = 1e-12,
    double WeightDecay = 0.0,
    double GradClipNorm = 0.0)
{
    /// <summary>Every out-of-range field, as violations (empty when valid).</summary>
    public IReadOnlyList<BatchViolation> Check()
    {
        var problems = new List<BatchViolation>();
        void Require(bool ok, string key, double value, string rule)
        {
            if (!ok)
            {
                problems.Add(new(null, key, System.FormattableString.Invariant($"is {value}; {rule}.")));
            }
        }

        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", LearningRate, "it must be a positive finite number");
        Require(Beta1 >= 0 && Beta1 < 1, "beta1", Beta1, "it must be in [0, 1)");
        Require(Beta2 >= 0 && Beta2 < 1, "beta2", Beta2, "it must be in [0, 1)");
        Require(Eps > 0 && double.IsFinite(Eps), "eps", Eps, "it must be a positive finite number");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), "weight_decay", WeightDecay, "it must be a non-negative finite number");
        Require(GradClipNorm >= 0 && double.IsFinite(GradClipNorm), "grad_clip_norm", GradClipNorm, "it must be a non-negative finite number (0 turns clipping off)");
        return problems;
    }
}
