using System;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Mint.Dsl;

namespace Mint.Protocol.Conversion;

/// <summary>
/// <see cref="TensorData"/> on the wire: a dtype, a shape and the elements as raw little-endian
/// bytes, so a tensor costs its in-memory size and its values arrive bit for bit (NaN included).
/// </summary>
public static class TensorCodec
{
    /// <summary>The wire form of <paramref name="tensor"/>.</summary>
    public static V1.Tensor ToWire(TensorData tensor)
    {
        var wire = new V1.Tensor { Dtype = ToWire(tensor.DType) };
        wire.Shape.AddRange(tensor.Shape);
        wire.Data = tensor.DType switch
        {
            TensorDType.Float32 => Pack(tensor.ToSingles()),
            TensorDType.Float64 => Pack(tensor.ToDoubles()),
            _ => Pack(tensor.ToInt64s()),
        };
        return wire;
    }

    /// <summary>
    /// Reads a wire tensor. Returns false with <paramref name="problem"/> set when the dtype is
    /// unknown, a dimension is negative, or the bytes do not hold exactly the shape's elements.
    /// </summary>
    public static bool TryFromWire(V1.Tensor? wire, out TensorData? tensor, out string? problem)
    {
        tensor = null;
        if (wire is null)
        {
            problem = "the tensor is missing.";
            return false;
        }

        var size = wire.Dtype switch
        {
            V1.DType.Float32 => sizeof(float),
            V1.DType.Float64 => sizeof(double),
            V1.DType.Int64 => sizeof(long),
            _ => 0,
        };
        if (size == 0)
        {
            problem = $"dtype {wire.Dtype} is not one of float32, int64, float64.";
            return false;
        }

        var shape = wire.Shape.ToArray();
        if (shape.Any(dimension => dimension < 0))
        {
            problem = $"shape [{string.Join(", ", shape)}] has a negative dimension.";
            return false;
        }

        long expected;
        try
        {
            expected = shape.Aggregate(1L, (product, dimension) => checked(product * dimension));
        }
        catch (OverflowException)
        {
            problem = $"shape [{string.Join(", ", shape)}] is too large.";
            return false;
        }

        if (wire.Data.Length != expected * size)
        {
            problem = $"the data holds {wire.Data.Length} bytes; {ToDType(wire.Dtype).ToWireName()} [{string.Join(", ", shape)}] needs {expected * size}.";
            return false;
        }

        var bytes = wire.Data.Span;
        tensor = wire.Dtype switch
        {
            V1.DType.Float32 => TensorData.FromSingles(Unpack<float>(bytes), shape),
            V1.DType.Float64 => TensorData.FromDoubles(Unpack<double>(bytes), shape),
            _ => TensorData.FromInt64s(Unpack<long>(bytes), shape),
        };
        problem = null;
        return true;
    }

    /// <summary>Reads a tensor the server sent; a malformed one is a protocol error.</summary>
    public static TensorData FromWire(V1.Tensor? wire) => TryFromWire(wire, out var tensor, out var problem)
        ? tensor!
        : throw new InvalidOperationException($"The server sent a malformed tensor: {problem}");

    /// <summary>The wire dtype of <paramref name="dtype"/>.</summary>
    public static V1.DType ToWire(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => V1.DType.Float32,
        TensorDType.Float64 => V1.DType.Float64,
        TensorDType.Int64 => V1.DType.Int64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    private static TensorDType ToDType(V1.DType dtype) => dtype switch
    {
        V1.DType.Float32 => TensorDType.Float32,
        V1.DType.Float64 => TensorDType.Float64,
        _ => TensorDType.Int64,
    };

    private static ByteString Pack<T>(T[] values)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            return ByteString.CopyFrom(bytes);
        }

        var swapped = bytes.ToArray();
        ReverseEach(swapped, Marshal.SizeOf<T>());
        return ByteString.CopyFrom(swapped);
    }

    private static T[] Unpack<T>(ReadOnlySpan<byte> bytes)
        where T : unmanaged
    {
        var values = new T[bytes.Length / Marshal.SizeOf<T>()];
        var target = MemoryMarshal.AsBytes(values.AsSpan());
        bytes.CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            ReverseEach(target, Marshal.SizeOf<T>());
        }

        return values;
    }

    // The wire is little-endian whatever the machine; big-endian hosts swap each element.
    private static void ReverseEach(Span<byte> bytes, int size)
    {
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            bytes.Slice(offset, size).Reverse();
        }
    }
}
