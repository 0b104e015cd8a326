using Mint.Dsl;
using static TorchSharp.torch;

namespace Mint.Samples.Preference;

/// <summary>Losses over a set of candidate answers per position (multi-target <c>target_tokens [T, K]</c>).</summary>
public static partial class MultipleChoiceLosses
{
    /// <summary>
    /// Cross-entropy renormalised over the K answer letters of a multiple-choice question: at each
    /// weighted position, <c>logsumexp</c> of the K candidates' log-probs minus the correct one's, i.e.
    /// -log p(correct | one of the K letters). <paramref name="answer"/> is one-hot over the K
    /// candidates; <paramref name="weights"/> marks the position that answers.
    /// </summary>
    [Loss("answer_choice")]
    public static LossResult AnswerChoice(
        [TargetLogprobs(Rank = InputRank.KPerToken)] Tensor logprobs,
        [LossInput(Rank = InputRank.KPerToken)] Tensor answer,
        Tensor weights)
    {
        var nll = logprobs.logsumexp(2) - (logprobs * answer).sum(2);
        return new LossResult((nll * weights).sum())
            .Metric("answer_probability", ((-nll).exp() * weights).sum() / weights.sum());
    }
}
