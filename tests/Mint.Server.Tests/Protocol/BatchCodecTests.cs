using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Mint.Dsl;
using Mint.Protocol.Conversion;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Protocol;

/// <summary>Batches through the encoded bytes: chunks, tokens, inputs and their order arrive as sent.</summary>
public sealed class BatchCodecTests
{
    [Fact]
    public void A_batch_arrives_as_sent_chunk_by_chunk_with_its_inputs_in_order()
    {
        Datum[] batch =
        [
            new(new ModelInput([new EncodedTextChunk([11, 12, 13]), new EncodedTextChunk([14])]), new Dictionary<string, TensorData>
            {
                ["weights"] = TensorData.FromSingles([0f, 1f, 1f, 0.5f]),
                ["target_tokens"] = TensorData.FromInt64s([12, 13, 14, 2]),
            }),
            new(ModelInput.FromInts([7]), new Dictionary<string, TensorData>()),
        ];

        var wire = batch.Select(datum => V1.Datum.Parser.ParseFrom(BatchCodec.ToWire(datum).ToByteArray())).ToList();
        var back = BatchCodec.FromWire(wire, "forward");

        Assert.Equal(2, back.Count);
        Assert.Equal([[11, 12, 13], [14]], back[0].ModelInput.Chunks.Select(chunk => chunk.Tokens.ToArray()));
        Assert.Equal(["weights", "target_tokens"], back[0].LossFnInputs.Keys);
        Assert.Equal([0f, 1f, 1f, 0.5f], back[0].LossFnInputs["weights"].ToSingles());
        Assert.Equal([12L, 13, 14, 2], back[0].LossFnInputs["target_tokens"].ToInt64s());
        Assert.Equal([7], back[1].ModelInput.Chunks.Single().Tokens);
        Assert.Empty(back[1].LossFnInputs);
    }

    [Fact]
    public void Result_tensors_arrive_by_key_in_wire_order()
    {
        var tensors = new Dictionary<string, TensorData> { ["z"] = TensorData.FromDoubles([0.125]), ["a"] = TensorData.FromSingles([-1f, 2f], [1, 2]) };

        var back = BatchCodec.FromWire(V1.TensorMap.Parser.ParseFrom(BatchCodec.ToWire(tensors).ToByteArray()));

        Assert.Equal(["z", "a"], back.Keys);
        Assert.Equal([0.125], back["z"].ToDoubles());
        Assert.Equal([1L, 2L], back["a"].Shape);
    }
}
