using Mint.Dsl;
using static TorchSharp.torch;

namespace Mint.Dsl.Benchmarks.Engine;

/// <summary>Losses the benchmarks run as custom losses.</summary>
public static partial class BenchmarkLosses
{
    /// <summary>The built-in cross-entropy, declared as a custom loss so it takes the client-side path.</summary>
    [Loss("cross_entropy_as_custom")]
    public static LossResult CrossEntropyAsCustom(Tensor logprobs, Tensor weights) => BuiltinLosses.CrossEntropy(logprobs, weights);
}
