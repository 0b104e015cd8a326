using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>What a <c>forward</c> returns beyond each datum's target log-probs.</summary>
public sealed record ForwardOptions
{
    /// <summary>
    /// Also return, at every model-input position, the k most likely next tokens with their log-probs
    /// (<see cref="ForwardResult.TopKLogprobs"/>); 0 returns none. Costs a pass that keeps the full logits.
    /// </summary>
    public int TopKLogprobs { get; init; }

    /// <summary>Every out-of-range field, as violations (empty when valid).</summary>
    public IReadOnlyList<BatchViolation> Check(int vocabSize)
    {
        var problems = new List<BatchViolation>();
        if (TopKLogprobs < 0 || TopKLogprobs > vocabSize)
        {
            problems.Add(new(null, "top_k_logprobs", $"is {TopKLogprobs}; it must be between 0 (none) and the vocabulary size {vocabSize}."));
        }

        return problems;
    }
}
