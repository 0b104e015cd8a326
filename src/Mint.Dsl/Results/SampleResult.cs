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
public sealed record SampleResult(IReadOnlyList<SampledSequence> Sequences)
{
    /// <summary>
    /// With <see cref="SamplingParams.PromptLogprobs"/>: log p(prompt[i] | prompt[..i]) under the model
    /// (temperature 1) for each prompt position; null at position 0, which nothing predicts. Null when not asked for.
    /// </summary>
    public IReadOnlyList<float?>? PromptLogprobs { get; init; }

    /// <summary>
    /// With <see cref="SamplingParams.TopKPromptLogprobs"/> = k: for each prompt position, the k most
    /// likely tokens there (most likely first); null at position 0. Null when not asked for.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<TokenLogprob>?>? TopKPromptLogprobs { get; init; }
}
