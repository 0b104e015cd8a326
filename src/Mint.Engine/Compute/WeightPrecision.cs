using System;
using static TorchSharp.torch;

namespace Mint.Engine.Compute;

/// <summary>
/// The precision the frozen base weights are kept and multiplied in. LoRA adapters and the
/// optimizer's state stay float32 whatever this is; log-probs are always reduced in float32.
/// </summary>
public enum WeightPrecision
{
    /// <summary>32-bit floats (the default; exact against transformers to 1e-5).</summary>
    Float32,

    /// <summary>bfloat16: half the memory, the usual way to fine-tune LoRA on a GPU.</summary>
    BFloat16,

    /// <summary>IEEE half precision.</summary>
    Float16,
}

/// <summary>Names and libtorch types of <see cref="WeightPrecision"/>.</summary>
public static class WeightPrecisions
{
    /// <summary>
    /// The precision called <paramref name="name"/>: <c>float32</c>/<c>fp32</c>, <c>bfloat16</c>/<c>bf16</c>,
    /// <c>float16</c>/<c>fp16</c>/<c>half</c> (any case). Anything else is an <see cref="ArgumentException"/> naming <paramref name="setting"/>.
    /// </summary>
    public static WeightPrecision Parse(string name, string setting) => (name ?? string.Empty).Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" or "float" => WeightPrecision.Float32,
        "bfloat16" or "bf16" => WeightPrecision.BFloat16,
        "float16" or "fp16" or "half" => WeightPrecision.Float16,
        _ => throw new ArgumentException($"{setting} is '{name}'; use float32, bfloat16 or float16.", setting),
    };

    /// <summary>The libtorch scalar type of <paramref name="precision"/>.</summary>
    public static ScalarType ToScalarType(this WeightPrecision precision) => precision switch
    {
        WeightPrecision.Float32 => ScalarType.Float32,
        WeightPrecision.BFloat16 => ScalarType.BFloat16,
        WeightPrecision.Float16 => ScalarType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, $"Weight precision {(int)precision} is not one of {string.Join(", ", Enum.GetNames<WeightPrecision>())}."),
    };
}
