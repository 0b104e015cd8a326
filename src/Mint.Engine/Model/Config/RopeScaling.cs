using System.Collections.Generic;

namespace Mint.Engine.Model;

/// <summary>
/// How the rotary frequencies are rescaled for a longer context, as Hugging Face's
/// <c>rope_parameters</c> (transformers 5) or <c>rope_scaling</c> (transformers 4) describes it.
/// Null on <see cref="ModelConfig.RopeScaling"/> means plain rotary embeddings (<c>rope_type</c> <c>default</c>).
/// </summary>
/// <param name="Type"><c>linear</c>, <c>llama3</c> or <c>yarn</c> (see <see cref="SupportedTypes"/>).</param>
/// <param name="Factor">The scaling factor (every type).</param>
public sealed record RopeScaling(string Type, double Factor)
{
    /// <summary>The <c>rope_type</c> values the engine computes exactly (besides <c>default</c>).</summary>
    public static string[] SupportedTypes { get; } = ["linear", "llama3", "yarn"];

    /// <summary>The pre-training context: <c>llama3</c> and <c>yarn</c>; defaults to <c>max_position_embeddings</c> as in transformers.</summary>
    public int? OriginalMaxPositionEmbeddings { get; init; }

    /// <summary><c>llama3</c>: wavelengths above <c>original / low_freq_factor</c> are divided by the factor.</summary>
    public double? LowFreqFactor { get; init; }

    /// <summary><c>llama3</c>: wavelengths below <c>original / high_freq_factor</c> are kept.</summary>
    public double? HighFreqFactor { get; init; }

    /// <summary><c>yarn</c>: the cos/sin multiplier; derived from the factor (and mscales) when absent.</summary>
    public double? AttentionFactor { get; init; }

    /// <summary><c>yarn</c>: rotations bounding extrapolation (32 when absent or zero, as in transformers).</summary>
    public double? BetaFast { get; init; }

    /// <summary><c>yarn</c>: rotations bounding interpolation (1 when absent or zero, as in transformers).</summary>
    public double? BetaSlow { get; init; }

    /// <summary><c>yarn</c>: DeepSeek-style attention-factor numerator.</summary>
    public double? Mscale { get; init; }

    /// <summary><c>yarn</c>: DeepSeek-style attention-factor denominator.</summary>
    public double? MscaleAllDim { get; init; }

    /// <summary><c>yarn</c>: round the correction range to whole dimensions (true when absent, as in transformers).</summary>
    public bool Truncate { get; init; } = true;

    /// <summary>Values transformers would compute with but that make no sense (non-positive factors, an empty llama3 band, …).</summary>
    internal IEnumerable<string> Problems()
    {
        if (!(Factor > 0))
        {
            yield return $"rope scaling factor must be positive (is {Factor})";
        }

        if (OriginalMaxPositionEmbeddings is <= 0)
        {
            yield return $"rope scaling original_max_position_embeddings must be positive (is {OriginalMaxPositionEmbeddings})";
        }

        if (Type == "llama3")
        {
            if (LowFreqFactor is not > 0 || HighFreqFactor is not > 0 || !(HighFreqFactor > LowFreqFactor))
            {
                yield return $"llama3 rope scaling needs 0 < low_freq_factor < high_freq_factor (are {LowFreqFactor?.ToString() ?? "null"} and {HighFreqFactor?.ToString() ?? "null"})";
            }
        }
    }
}
