using System;
using System.Linq;
using Mint.Dsl;
using Mint.Protocol.Conversion;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Protocol;

/// <summary>
/// Whole <c>Tensor</c> messages pinned byte for byte, both ways, for every dtype. The expected bytes
/// are written out by hand from the protobuf encoding rules (tag, varint, length-delimited) and
/// IEEE 754 / two's-complement little-endian values, so any peer that follows mint.proto (a Python
/// client, say) reads and writes the same bytes. A round trip alone would accept a codec that
/// garbled values the same way in both directions.
/// </summary>
public sealed class PinnedWireBytesTests
{
    public static TheoryData<TensorData, string> Pinned => new()
    {
        {
            // dtype FLOAT32 (field 1 = 1), shape [3] (field 2, packed), data 12 bytes (field 3):
            // 1 = 0x3F800000, -2 = 0xC0000000, 0.15625 = 0x3E200000.
            TensorData.FromSingles([1f, -2f, 0.15625f]),
            "08 01 12 01 03 1A 0C 00 00 80 3F 00 00 00 C0 00 00 20 3E"
        },
        {
            // dtype FLOAT64 (3), shape [2]: 1 = 0x3FF0000000000000, -2.5 = 0xC004000000000000.
            TensorData.FromDoubles([1.0, -2.5]),
            "08 03 12 01 02 1A 10 00 00 00 00 00 00 F0 3F 00 00 00 00 00 00 04 C0"
        },
        {
            // dtype INT64 (2), shape [1, 2]: 0x0102030405060708 and -2 in two's complement.
            TensorData.FromInt64s([0x0102030405060708, -2], [1, 2]),
            "08 02 12 02 01 02 1A 10 08 07 06 05 04 03 02 01 FE FF FF FF FF FF FF FF"
        },
    };

    [Theory]
    [MemberData(nameof(Pinned))]
    public void A_tensor_is_written_as_these_bytes(TensorData tensor, string hex)
    {
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(TensorCodec.ToWire(tensor));

        Assert.Equal(hex, Convert.ToHexString(bytes).Chunk(2).Select(pair => new string(pair)).Aggregate((left, right) => left + " " + right));
    }

    [Theory]
    [MemberData(nameof(Pinned))]
    public void These_bytes_are_read_as_the_tensor(TensorData expected, string hex)
    {
        var wire = V1.Tensor.Parser.ParseFrom(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));

        var tensor = TensorCodec.FromWire(wire);

        Assert.Equal(expected.DType, tensor.DType);
        Assert.Equal(expected.Shape, tensor.Shape);
        switch (expected.DType)
        {
            case TensorDType.Float32:
                Assert.Equal(expected.ToSingles().Select(BitConverter.SingleToInt32Bits), tensor.ToSingles().Select(BitConverter.SingleToInt32Bits));
                break;
            case TensorDType.Float64:
                Assert.Equal(expected.ToDoubles().Select(BitConverter.DoubleToInt64Bits), tensor.ToDoubles().Select(BitConverter.DoubleToInt64Bits));
                break;
            default:
                Assert.Equal(expected.ToInt64s(), tensor.ToInt64s());
                break;
        }
    }
}
