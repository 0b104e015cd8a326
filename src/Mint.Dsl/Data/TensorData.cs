using System;
using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// A dense tensor as it travels in a <see cref="Datum"/>: flat data, a dtype and a shape
/// (the Python SDK's <c>TensorData</c>). Immutable: the arrays are copied on construction.
/// </summary>
public sealed class TensorData
{
    private readonly float[]? floats;
    private readonly double[]? doubles;
    private readonly long[]? longs;

    private TensorData(TensorDType dtype, long[] shape, float[]? floats, double[]? doubles, long[]? longs)
    {
        DType = dtype;
        Shape = shape;
        this.floats = floats;
        this.doubles = doubles;
        this.longs = longs;
        long expected = shape.Aggregate(1L, (product, dimension) => product * dimension);
        if (expected != Count)
        {
            throw new ArgumentException(
                $"Shape [{string.Join(", ", shape)}] holds {expected} elements but {Count} were given.", nameof(shape));
        }
    }

    /// <summary>The element type.</summary>
    public TensorDType DType { get; }

    /// <summary>The shape; a sequence input is one-dimensional, <c>[length]</c>.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Count => floats?.Length ?? doubles?.Length ?? longs!.Length;

    /// <summary>A float32 tensor; one-dimensional unless <paramref name="shape"/> is given.</summary>
    public static TensorData FromSingles(IEnumerable<float> data, long[]? shape = null)
    {
        var copy = data.ToArray();
        return new TensorData(TensorDType.Float32, shape ?? [copy.Length], copy, null, null);
    }

    /// <summary>A float64 tensor; one-dimensional unless <paramref name="shape"/> is given.</summary>
    public static TensorData FromDoubles(IEnumerable<double> data, long[]? shape = null)
    {
        var copy = data.ToArray();
        return new TensorData(TensorDType.Float64, shape ?? [copy.Length], null, copy, null);
    }

    /// <summary>An int64 tensor (token ids); one-dimensional unless <paramref name="shape"/> is given.</summary>
    public static TensorData FromInt64s(IEnumerable<long> data, long[]? shape = null)
    {
        var copy = data.ToArray();
        return new TensorData(TensorDType.Int64, shape ?? [copy.Length], null, null, copy);
    }

    /// <summary>The elements widened to <see cref="double"/> (float dtypes only).</summary>
    public double[] ToDoubles() => DType switch
    {
        TensorDType.Float32 => Array.ConvertAll(floats!, value => (double)value),
        TensorDType.Float64 => (double[])doubles!.Clone(),
        _ => throw new InvalidOperationException($"A {DType.ToWireName()} tensor has no floating-point values."),
    };

    /// <summary>The elements as <see cref="float"/> (float dtypes only).</summary>
    public float[] ToSingles() => DType switch
    {
        TensorDType.Float32 => (float[])floats!.Clone(),
        TensorDType.Float64 => Array.ConvertAll(doubles!, value => (float)value),
        _ => throw new InvalidOperationException($"A {DType.ToWireName()} tensor has no floating-point values."),
    };

    /// <summary>The elements as <see cref="long"/> (int64 only).</summary>
    public long[] ToInt64s() => DType == TensorDType.Int64
        ? (long[])longs!.Clone()
        : throw new InvalidOperationException($"A {DType.ToWireName()} tensor is not int64.");

    /// <summary>Reads element <paramref name="index"/> as a double, whatever the dtype.</summary>
    public double this[int index] => DType switch
    {
        TensorDType.Float32 => floats![index],
        TensorDType.Float64 => doubles![index],
        _ => longs![index],
    };

    /// <inheritdoc />
    public override string ToString() => $"TensorData({DType.ToWireName()}, [{string.Join(", ", Shape)}])";
}
