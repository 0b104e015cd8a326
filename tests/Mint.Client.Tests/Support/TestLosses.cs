using Mint.Dsl;
using static TorchSharp.torch;

namespace Mint.Client.Tests.Support;

/// <summary>Custom losses defined by the tests.</summary>
public static partial class TestLosses
{
    /// <summary>Cross-entropy written as a custom loss, to compare with the built-in.</summary>
    [Loss("custom_cross_entropy")]
    public static LossResult CustomCrossEntropy(Tensor logprobs, Tensor weights)
    {
        var perToken = logprobs * weights;
        return new LossResult(-perToken.sum())
            .Metric("weighted_tokens", weights.sum());
    }
}
