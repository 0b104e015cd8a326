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
}
