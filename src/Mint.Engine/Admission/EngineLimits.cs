using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;

namespace Mint.Engine.Admission;

/// <summary>
/// The most one request may make the engine allocate. Every engine call checks its request against
/// these before it computes anything, so the embedded transport and the server are protected alike;
/// a request over a limit is a <see cref="Mint.Dsl.BatchValidationException"/> naming the limit.
/// The defaults suit a single-GPU server; raise them for larger models or batches.
/// </summary>
public sealed record EngineLimits
{
    /// <summary>The defaults.</summary>
    public static EngineLimits Default { get; } = new();

    /// <summary>The largest LoRA rank a session may ask for (it is also bounded by the projections' sizes).</summary>
    public int MaxLoraRank { get; init; } = 256;

    /// <summary>How many sessions the engine holds at once, over all callers.</summary>
    public int MaxSessions { get; init; } = 256;

    /// <summary>The most datums in one <c>forward</c> or <c>forward_backward</c>.</summary>
    public int MaxBatchSize { get; init; } = 16384;

    /// <summary>
    /// The most tokens one request may make the engine hold: the batch's model-input tokens, or for
    /// <c>sample</c>, <c>num_samples × (prompt + max_tokens)</c>.
    /// </summary>
    public long MaxTokensPerRequest { get; init; } = 1 << 20;

    /// <summary>The most completions one <c>sample</c> may ask for.</summary>
    public int MaxNumSamples { get; init; } = 128;

    /// <summary>The most new tokens per completion (<c>max_tokens</c>); the model's context bounds it too.</summary>
    public int MaxSampleTokens { get; init; } = 32768;

    /// <summary>Throws when a limit is not positive.</summary>
    public void Check()
    {
        if (MaxLoraRank < 1 || MaxSessions < 1 || MaxBatchSize < 1 || MaxTokensPerRequest < 1 || MaxNumSamples < 1 || MaxSampleTokens < 1)
        {
            throw new System.ArgumentOutOfRangeException(nameof(EngineLimits), this, "Every engine limit must be at least 1.");
        }
    }

    /// <summary>
    /// A LoRA config's own rules plus the limits: rank at most <see cref="MaxLoraRank"/> and at most
    /// the smallest dimension of any adapted projection (a larger rank adds nothing but memory).
    /// </summary>
    internal List<BatchViolation> CheckLora(LoraConfig lora, ModelConfig model)
    {
        var problems = lora.Check().ToList();
        if (lora.Rank > MaxLoraRank)
        {
            problems.Add(new(null, "rank", $"is {lora.Rank}; the limit max_lora_rank is {MaxLoraRank}."));
        }

        var smallest = LoraAdapters.Targets(model, lora)
            .Select(target => Math.Min(target.Shape[0], target.Shape[1]))
            .DefaultIfEmpty(long.MaxValue)
            .Min();
        if (lora.Rank > smallest)
        {
            problems.Add(new(null, "rank", $"is {lora.Rank}; it cannot exceed the smallest adapted projection dimension of the model ({smallest})."));
        }

        return problems;
    }

    /// <summary>
    /// The batch's size against <see cref="MaxBatchSize"/> and <see cref="MaxTokensPerRequest"/>. Runs
    /// before any per-datum check, so an oversized batch costs no more than counting it.
    /// </summary>
    internal List<BatchViolation> CheckBatch(IReadOnlyList<Datum> data)
    {
        if (data.Count > MaxBatchSize)
        {
            return [new(null, null, $"the batch has {data.Count} datums; the limit max_batch_size is {MaxBatchSize}.")];
        }

        long tokens = 0;
        foreach (var datum in data)
        {
            tokens += datum?.ModelInput.Length ?? 0;
        }

        return tokens > MaxTokensPerRequest
            ? [new(null, null, $"the batch has {tokens} tokens; the limit max_tokens_per_request is {MaxTokensPerRequest}.")]
            : [];
    }

    /// <summary><c>num_samples</c> and <c>max_tokens</c> against the limits, in 64-bit arithmetic so no sum can wrap.</summary>
    internal List<BatchViolation> CheckSample(int promptLength, int count, int maxTokens)
    {
        var problems = new List<BatchViolation>();
        if (count > MaxNumSamples)
        {
            problems.Add(new(null, "num_samples", $"is {count}; the limit max_num_samples is {MaxNumSamples}."));
        }

        if (maxTokens > MaxSampleTokens)
        {
            problems.Add(new(null, "max_tokens", $"is {maxTokens}; the limit max_sample_tokens is {MaxSampleTokens}."));
        }

        var held = (long)Math.Max(count, 0) * ((long)promptLength + Math.Max(maxTokens, 0));
        if (problems.Count == 0 && held > MaxTokensPerRequest)
        {
            problems.Add(new(null, "num_samples", $"{count} samples of {promptLength} prompt + {maxTokens} new tokens hold {held} tokens; the limit max_tokens_per_request is {MaxTokensPerRequest}."));
        }

        return problems;
    }
}
