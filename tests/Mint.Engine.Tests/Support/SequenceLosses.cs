using Mint.Dsl;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Tests.Support;

/// <summary>Custom losses defined by the engine tests.</summary>
public static partial class SequenceLosses
{
    /// <summary>
    /// A logistic loss on each sequence's log-likelihood ratio to a reference model, summed over the
    /// batch. It sums the log-probs of every position with no weights, so a padded position that kept
    /// its model log-prob (instead of zero) would change it.
    /// </summary>
    [Loss("sequence_logistic")]
    public static LossResult SequenceLogistic(Tensor logprobs, Tensor referenceLogprobs, double beta = 0.5)
    {
        var ratios = beta * (logprobs - referenceLogprobs).sum(1);
        return new LossResult(-functional.logsigmoid(ratios).sum())
            .Metric("mean_ratio", ratios.mean());
    }
}
