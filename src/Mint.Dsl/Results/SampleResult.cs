using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>Why a sampled sequence ended.</summary>
public enum StopReason
{
    /// <summary>It produced one of the stop tokens.</summary>
    StopToken,

    /// <summary>It reached <see cref="SamplingParams.MaxTokens"/>.</summary>
    Length,
}

/// <summary>One sampled completion.</summary>
/// <param name="Tokens">The new tokens, the stop token included when there was one.</param>
/// <param name="Logprobs">log p(token) under the sampling policy (the model at the sampling temperature, before top-k/top-p), per token.</param>
/// <param name="StopReason">Why it ended.</param>
public sealed record SampledSequence(IReadOnlyList<int> Tokens, IReadOnlyList<float> Logprobs, StopReason StopReason);

/// <summary>The completions of one sampling request.</summary>
/// <param name="Sequences">One per requested sample.</param>
public sealed record SampleResult(IReadOnlyList<SampledSequence> Sequences);
