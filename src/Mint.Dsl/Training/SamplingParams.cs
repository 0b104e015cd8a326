using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>How to sample completions (the Python SDK's <c>SamplingParams</c>).</summary>
public sealed record SamplingParams
{
    /// <summary>Most new tokens per sequence.</summary>
    public int MaxTokens { get; init; } = 16;

    /// <summary>The smallest positive <see cref="Temperature"/>: below it, logits divided by the temperature overflow float32.</summary>
    public const double MinPositiveTemperature = 1e-6;

    /// <summary>Softmax temperature; 0 picks the most likely token, otherwise at least <see cref="MinPositiveTemperature"/>.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this (1 keeps all).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens (0 keeps all).</summary>
    public int TopK { get; init; }

    /// <summary>Tokens that end a sequence; the stop token is included in the output.</summary>
    public IReadOnlyList<int> StopTokens { get; init; } = [];

    /// <summary>Seed for reproducible samples; random when null.</summary>
    public long? Seed { get; init; }

    /// <summary>
    /// Also return the prompt's own log-probs (<see cref="SampleResult.PromptLogprobs"/>), as Tinker's
    /// <c>SampleRequest.prompt_logprobs</c>.
    /// </summary>
    public bool PromptLogprobs { get; init; }

    /// <summary>
    /// Also return the k most likely tokens at each prompt position (<see cref="SampleResult.TopKPromptLogprobs"/>),
    /// as Tinker's <c>SampleRequest.topk_prompt_logprobs</c>; 0 returns none.
    /// </summary>
    public int TopKPromptLogprobs { get; init; }

    /// <summary>Every out-of-range field, as violations (empty when valid).</summary>
    public IReadOnlyList<BatchViolation> Check()
    {
        var problems = new List<BatchViolation>();
        if (MaxTokens < 1)
        {
            problems.Add(new(null, "max_tokens", $"is {MaxTokens}; ask for at least 1 token."));
        }

        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
        {
            problems.Add(new(null, "temperature", System.FormattableString.Invariant($"is {Temperature}; it must be a finite number ≥ 0.")));
        }
        else if (Temperature > 0 && Temperature < MinPositiveTemperature)
        {
            problems.Add(new(null, "temperature", System.FormattableString.Invariant(
                $"is {Temperature}; a positive temperature must be at least {MinPositiveTemperature} (scaled logits would overflow); use 0 for greedy sampling.")));
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            problems.Add(new(null, "top_p", System.FormattableString.Invariant($"is {TopP}; it must be in (0, 1].")));
        }

        if (TopK < 0)
        {
            problems.Add(new(null, "top_k", $"is {TopK}; it must be ≥ 0 (0 keeps all tokens)."));
        }

        if (TopKPromptLogprobs < 0)
        {
            problems.Add(new(null, "topk_prompt_logprobs", $"is {TopKPromptLogprobs}; it must be ≥ 0 (0 returns none)."));
        }

        return problems;
    }
}
