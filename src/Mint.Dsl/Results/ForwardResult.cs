using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>The model's per-token target log-probs for each datum of a batch, in batch order.</summary>
/// <param name="Logprobs">One float32 tensor per datum, one value per model-input position.</param>
public sealed record ForwardResult(IReadOnlyList<TensorData> Logprobs)
{
    /// <summary>
    /// With <see cref="ForwardOptions.TopKLogprobs"/> = k: per datum, per model-input position, the k
    /// most likely next tokens, most likely first; null when not asked for.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyList<TokenLogprob>>>? TopKLogprobs { get; init; }
}
