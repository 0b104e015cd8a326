using System;

namespace Mint.Dsl;

/// <summary>
/// Marks the parameter that receives the model's target log-probs, the value the loss is
/// differentiated against. Parameters named <c>logprobs</c> or <c>targetLogprobs</c> are marked
/// implicitly, with one target per position.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class TargetLogprobsAttribute : Attribute
{
    /// <summary>
    /// <see cref="InputRank.PerToken"/> (the default): one target per position, <c>target_tokens</c>
    /// <c>[T]</c>, log-probs <c>[datums, tokens]</c>. <see cref="InputRank.KPerToken"/>: K candidate
    /// targets per position (Tinker's multi-target <c>target_tokens [T, K]</c>), log-probs
    /// <c>[datums, tokens, K]</c>. Log-probs are never <see cref="InputRank.PerDatum"/> (MINT041).
    /// </summary>
    public InputRank Rank { get; set; } = InputRank.PerToken;
}
