using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Mint.Dsl;
using Mint.Protocol.Conversion;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Protocol;

/// <summary>Tensors on the wire: raw little-endian bytes that round-trip bit for bit.</summary>
public sealed class TensorCodecTests
{
    [Fact]
    public void Tensors_round_trip_bit_for_bit_with_their_shape()
    {
        var floats = TensorData.FromSingles([1.5f, float.NaN, -0f, float.Epsilon, float.MaxValue, -3.25f], [2, 3]);
        var doubles = TensorData.FromDoubles([Math.PI, double.NegativeInfinity, 1e-300]);
        var longs = TensorData.FromInt64s([long.MinValue, -1, 0, long.MaxValue]);

        foreach (var tensor in new[] { floats, doubles, longs })
        {
            Assert.True(TensorCodec.TryFromWire(TensorCodec.ToWire(tensor), out var back, out var problem), problem);
            Assert.Equal(tensor.DType, back!.DType);
            Assert.Equal(tensor.Shape, back.Shape);
            for (var index = 0; index < tensor.Count; index++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(tensor[index]), BitConverter.DoubleToInt64Bits(back[index]));
            }
        }

        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(TensorCodec.FromWire(TensorCodec.ToWire(floats)).ToSingles()[2]));
    }

    [Fact]
    public void The_bytes_are_little_endian_raw_values()
    {
        var wire = TensorCodec.ToWire(TensorData.FromSingles([1f, -2f]));

        Assert.Equal(V1.DType.Float32, wire.Dtype);
        Assert.Equal([2L], wire.Shape);
        Assert.Equal(new byte[] { 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0 }, wire.Data.ToByteArray());
    }

    [Fact]
    public void Per_token_inputs_cost_their_size_in_memory()
    {
        var tensor = TensorData.FromSingles(new float[1000]);

        Assert.InRange(TensorCodec.ToWire(tensor).CalculateSize(), 4000, 4010);
    }

    [Theory]
    [InlineData(V1.DType.Unspecified, new long[] { 1 }, 4, "dtype Unspecified is not one of float32, int64, float64.")]
    [InlineData(V1.DType.Float32, new long[] { 3 }, 8, "the data holds 8 bytes; float32 [3] needs 12.")]
    [InlineData(V1.DType.Float64, new long[] { 2, 3 }, 40, "the data holds 40 bytes; float64 [2, 3] needs 48.")]
    [InlineData(V1.DType.Int64, new long[] { -1, -2 }, 16, "shape [-1, -2] has a negative dimension.")]
    [InlineData(V1.DType.Int64, new long[] { 2, -1 }, 16, "shape [2, -1] has a negative dimension.")]
    [InlineData(V1.DType.Float32, new long[] { 1L << 40, 1L << 40 }, 0, "shape [1099511627776, 1099511627776] is too large.")]
    public void Malformed_tensors_are_reported(V1.DType dtype, long[] shape, int bytes, string expected)
    {
        var wire = new V1.Tensor { Dtype = dtype, Data = ByteString.CopyFrom(new byte[bytes]) };
        wire.Shape.AddRange(shape);

        Assert.False(TensorCodec.TryFromWire(wire, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void A_batch_with_malformed_tensors_names_every_datum_and_key()
    {
        var good = BatchCodec.ToWire(new Datum(ModelInput.FromInts([1, 2]), new Dictionary<string, TensorData> { ["weights"] = TensorData.FromSingles([1, 1]) }));
        var bad = good.Clone();
        bad.LossFnInputs[0].Tensor.Data = ByteString.CopyFrom(new byte[3]);
        bad.LossFnInputs.Add(good.LossFnInputs[0].Clone());

        var error = Assert.Throws<BatchValidationException>(() => BatchCodec.FromWire([good, bad], "forward"));

        Assert.Equal(
            ["datum 1, 'weights': the data holds 3 bytes; float32 [2] needs 8.", "datum 1, 'weights': the key appears more than once."],
            error.Violations.Select(violation => violation.ToString()));
    }

    [Fact]
    public void Empty_dimensions_are_tensors_without_elements()
    {
        var wire = new V1.Tensor { Dtype = V1.DType.Float32 };
        wire.Shape.AddRange([2L, 0L]);

        Assert.True(TensorCodec.TryFromWire(wire, out var tensor, out var problem), problem);
        Assert.Equal([2L, 0L], tensor!.Shape);
        Assert.Equal(0, tensor.Count);
    }

    [Fact]
    public void A_missing_tensor_is_reported_and_a_malformed_one_from_the_server_is_an_error()
    {
        var missing = new V1.Datum { ModelInput = new V1.ModelInput() };
        missing.LossFnInputs.Add(new V1.NamedTensor { Key = "weights" });
        var malformed = new V1.Tensor { Dtype = V1.DType.Int64, Data = ByteString.CopyFrom(new byte[3]) };

        var error = Assert.Throws<BatchValidationException>(() => BatchCodec.FromWire([missing], "forward"));
        var serverError = Assert.Throws<InvalidOperationException>(() => TensorCodec.FromWire(malformed));

        Assert.Equal("datum 0, 'weights': the tensor is missing.", error.Violations.Single().ToString());
        Assert.Equal("The server sent a malformed tensor: the data holds 3 bytes; int64 [] needs 8.", serverError.Message);
    }

    [Fact]
    public void A_dtype_the_wire_cannot_carry_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TensorCodec.ToWire((TensorDType)42));

        Assert.StartsWith("Unknown dtype.", error.Message, StringComparison.Ordinal);
        Assert.Equal(42, (int)(TensorDType)error.ActualValue!);
    }
}
