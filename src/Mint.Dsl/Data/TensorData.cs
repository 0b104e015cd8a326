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

    /// <summary>Copies the elements into <paramref name="destination"/> as float32 (float dtypes only).</summary>
    public void CopyTo(Span<float> destination)
    {
        switch (DType)
        {
            case TensorDType.Float32:
                floats.AsSpan().CopyTo(destination);
                break;
            case TensorDType.Float64:
                for (var index = 0; index < doubles!.Length; index++)
                {
                    destination[index] = (float)doubles[index];
                }

                break;
            default:
                throw new InvalidOperationException($"A {DType.ToWireName()} tensor has no floating-point values.");
        }
    }

    /// <summary>Copies the elements into <paramref name="destination"/> as float64 (float dtypes only).</summary>
    public void CopyTo(Span<double> destination)
    {
        switch (DType)
        {
            case TensorDType.Float32:
                for (var index = 0; index < floats!.Length; index++)
                {
                    destination[index] = floats[index];
                }

                break;
            case TensorDType.Float64:
                doubles.AsSpan().CopyTo(destination);
                break;
            default:
                throw new InvalidOperationException($"A {DType.ToWireName()} tensor has no floating-point values.");
        }
    }

    /// <summary>Copies the elements into <paramref name="destination"/> (int64 only).</summary>
    public void CopyTo(Span<long> destination)
    {
        if (DType != TensorDType.Int64)
        {
            throw new InvalidOperationException($"A {DType.ToWireName()} tensor is not int64.");
        }

        longs.AsSpan().CopyTo(destination);
    }

    /// <summary>The position of the first NaN or infinite element, or -1 (always -1 for int64).</summary>
    public int IndexOfNonFinite()
    {
        if (floats is not null)
        {
            for (var index = 0; index < floats.Length; index++)
            {
                if (!float.IsFinite(floats[index]))
                {
                    return index;
                }
            }
        }

        if (doubles is not null)
        {
            for (var index = 0; index < doubles.Length; index++)
            {
                if (!double.IsFinite(doubles[index]))
                {
                    return index;
                }
            }
        }

        return -1;
    }

    /// <summary>A float32 tensor that takes ownership of <paramref name="data"/> (no copy); for results built here.</summary>
    internal static TensorData OwningSingles(float[] data, long[]? shape = null) => new(TensorDType.Float32, shape ?? [data.Length], data, null, null);

    /// <summary>A float64 tensor that takes ownership of <paramref name="data"/> (no copy); for results built here.</summary>
    internal static TensorData OwningDoubles(double[] data, long[]? shape = null) => new(TensorDType.Float64, shape ?? [data.Length], null, data, null);

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
