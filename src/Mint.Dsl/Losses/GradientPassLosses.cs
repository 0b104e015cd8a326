using TorchSharp;
using static TorchSharp.torch;

namespace Mint.Dsl;

/// <summary>
/// The linear losses that send a client-computed gradient back into the model: a custom loss
/// computed on the client (two passes) gets dL/dlogprobs, and the second pass trains on
/// <c>-(logprobs * weights).sum()</c> with weights = -dL/dlogprobs, whose gradient is exactly that.
/// One target per position uses the built-in <c>cross_entropy</c>; multi-target losses, whose
/// gradient is <c>[T, K]</c>, use <see cref="CandidateGradient"/>, since built-ins read one target
/// per position.
/// </summary>
public static partial class GradientPassLosses
{
    /// <summary>
    /// <c>cross_entropy</c>'s linear form over K candidate targets per position: weights <c>[T, K]</c>
    /// beside <c>target_tokens [T, K]</c>. It lowers, so it runs inside the engine's pass over gRPC too.
    /// </summary>
    [Loss("candidate_gradient")]
    public static LossResult CandidateGradient(
        [TargetLogprobs(Rank = InputRank.KPerToken)] Tensor logprobs,
        [LossInput(Rank = InputRank.KPerToken)] Tensor weights) =>
        new(-(logprobs * weights).sum());
}
