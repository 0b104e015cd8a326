using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Mint.Dsl;
using Mint.Protocol.Conversion;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Protocol;

/// <summary>
/// Top-k log-probs on the wire: two dense <c>[positions, k]</c> tensors, row by row; tensors of any
/// other shape from a server are an error naming both shapes.
/// </summary>
public sealed class TopKCodecTests
{
    private static readonly TokenLogprob[][] Positions =
    [
        [new(7, -0.5f), new(3, -1.25f), new(40, -2f)],
        [new(1, -0.125f), new(7, -3f), new(2, -3.5f)],
    ];

    [Fact]
    public void Each_position_becomes_a_row_of_token_ids_and_a_row_of_logprobs()
    {
        var wire = TopKCodec.ToWire(Positions);

        Assert.Equal([2L, 3L], wire.Tokens.Shape);
        Assert.Equal([2L, 3L], wire.Logprobs.Shape);
        Assert.Equal([7L, 3, 40, 1, 7, 2], TensorCodec.FromWire(wire.Tokens).ToInt64s());
        Assert.Equal([-0.5f, -1.25f, -2f, -0.125f, -3f, -3.5f], TensorCodec.FromWire(wire.Logprobs).ToSingles());
    }

    [Fact]
    public void Top_k_lists_arrive_as_sent()
    {
        var back = TopKCodec.FromWire(V1.TopKLogprobs.Parser.ParseFrom(TopKCodec.ToWire(Positions).ToByteArray()));

        Assert.Equal(Positions, back.Select(row => row.ToArray()));
    }

    [Fact]
    public void No_positions_are_an_empty_list()
    {
        var wire = TopKCodec.ToWire([]);

        Assert.Equal([0L, 0L], wire.Tokens.Shape);
        Assert.Empty(TopKCodec.FromWire(wire));
    }

    public static TheoryData<long[], long[]> Mismatched => new()
    {
        { [2, 3], [2, 2] },
        { [6], [6] },
    };

    [Theory]
    [MemberData(nameof(Mismatched))]
    public void Tensors_of_other_shapes_are_an_error_naming_both(long[] tokenShape, long[] logprobShape)
    {
        var wire = new V1.TopKLogprobs
        {
            Tokens = TensorCodec.ToWire(TensorData.FromInt64s(new long[tokenShape.Aggregate(1L, (a, b) => a * b)], tokenShape)),
            Logprobs = TensorCodec.ToWire(TensorData.FromSingles(new float[logprobShape.Aggregate(1L, (a, b) => a * b)], logprobShape)),
        };

        var error = Assert.Throws<InvalidOperationException>(() => TopKCodec.FromWire(wire));

        Assert.Equal(
            $"The server sent top-k log-probs of shapes TensorData(int64, [{string.Join(", ", tokenShape)}]) and TensorData(float32, [{string.Join(", ", logprobShape)}]).",
            error.Message);
    }
}
