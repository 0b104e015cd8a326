namespace Mint.Dsl;

/// <summary>Element type of a <see cref="TensorData"/>, named as in the Python SDK.</summary>
public enum TensorDType
{
    /// <summary>32-bit float (<c>"float32"</c>): weights, advantages, log-probs.</summary>
    Float32,

    /// <summary>64-bit integer (<c>"int64"</c>): token ids.</summary>
    Int64,

    /// <summary>64-bit float (<c>"float64"</c>): high-precision log-probs and gradients.</summary>
    Float64,
}

/// <summary>Wire names of <see cref="TensorDType"/>.</summary>
public static class TensorDTypeNames
{
    /// <summary>The Python SDK name of <paramref name="dtype"/> (<c>float32</c>, <c>int64</c>, <c>float64</c>).</summary>
    public static string ToWireName(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => "float32",
        TensorDType.Int64 => "int64",
        TensorDType.Float64 => "float64",
        _ => throw new System.ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>True for the floating-point dtypes.</summary>
    public static bool IsFloating(this TensorDType dtype) => dtype != TensorDType.Int64;
}
