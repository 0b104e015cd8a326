using Mint.Dsl;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Samples.Preference;

/// <summary>Preference losses over (chosen, rejected) pairs of completions that share a prompt.</summary>
public static partial class PreferenceLosses
{
    /// <summary>
    /// Bradley–Terry: the probability that the chosen completion wins is sigmoid of the margin
    /// between the weighted log-likelihoods of chosen and rejected.
    /// </summary>
    [Loss("pairwise_preference")]
    public static LossResult PairwisePreference(Pair<Tensor> logprobs, Pair<Tensor> weights)
    {
        var margins = (logprobs.Chosen * weights.Chosen).sum(1)
                    - (logprobs.Rejected * weights.Rejected).sum(1);
        return new LossResult(-functional.logsigmoid(margins).mean())
            .Metric("pair_accuracy", (margins > 0).to(float32).mean())
            .Metric("mean_margin", margins.mean());
    }

    /// <summary>
    /// Direct preference optimisation: Bradley–Terry on the policy's log-likelihood gain over a
    /// frozen reference model, scaled by <paramref name="beta"/>.
    /// </summary>
    [Loss("dpo")]
    public static LossResult Dpo(
        Pair<Tensor> logprobs,
        Pair<Tensor> referenceLogprobs,
        Pair<Tensor> weights,
        double beta = 0.1)
    {
        var chosenReward = beta * ((logprobs.Chosen - referenceLogprobs.Chosen) * weights.Chosen).sum(1);
        var rejectedReward = beta * ((logprobs.Rejected - referenceLogprobs.Rejected) * weights.Rejected).sum(1);
        var margins = chosenReward - rejectedReward;
        return new LossResult(-functional.logsigmoid(margins).mean())
            .Metric("reward_accuracy", (margins > 0).to(float32).mean())
            .Metric("chosen_reward", chosenReward.mean())
            .Metric("rejected_reward", rejectedReward.mean());
    }

    /// <summary>
    /// DPO with the reference model's log-likelihood given once per sequence (its summed log-prob
    /// over the completion) rather than per token: a per-datum input, <c>[]</c> or <c>[1]</c> on each datum.
    /// Equal to <see cref="Dpo"/> when the sequence value is the weighted sum of the per-token ones.
    /// </summary>
    [Loss("dpo_sequence_reference")]
    public static LossResult DpoSequenceReference(
        Pair<Tensor> logprobs,
        [LossInput(Rank = InputRank.PerDatum)] Pair<Tensor> referenceLogprob,
        Pair<Tensor> weights,
        double beta = 0.1)
    {
        var chosenReward = beta * ((logprobs.Chosen * weights.Chosen).sum(1) - referenceLogprob.Chosen);
        var rejectedReward = beta * ((logprobs.Rejected * weights.Rejected).sum(1) - referenceLogprob.Rejected);
        var margins = chosenReward - rejectedReward;
        return new LossResult(-functional.logsigmoid(margins).mean())
            .Metric("reward_accuracy", (margins > 0).to(float32).mean());
    }
}
