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
/// Adapter weights and checkpoint listings on the wire: weights arrive as sent with their LoRA config,
/// a malformed upload is a validation error naming every tensor at fault, and checkpoint kinds map
/// one to one (an unknown one is an error naming the checkpoint).
/// </summary>
public sealed class AdapterCodecTests
{
    [Fact]
    public void Adapter_weights_arrive_as_sent_with_their_lora_config()
    {
        var weights = new LoraWeights(new LoraConfig(Rank: 2, Alpha: 6, Seed: 9), new Dictionary<string, TensorData>
        {
            ["layers.0.q_proj.lora_A"] = TensorData.FromSingles([0.5f, -1.25f, 2f, 0f], [2, 2]),
            ["layers.0.q_proj.lora_B"] = TensorData.FromSingles([3f, -4f], [2, 1]),
        });

        var back = AdapterCodec.FromWire(V1.LoraWeights.Parser.ParseFrom(AdapterCodec.ToWire(weights).ToByteArray()), "load weights");

        Assert.Equal(weights.Lora, back.Lora);
        Assert.Equal(weights.Tensors.Keys, back.Tensors.Keys);
        foreach (var (key, tensor) in weights.Tensors)
        {
            Assert.Equal(tensor.Shape, back.Tensors[key].Shape);
            Assert.Equal(tensor.ToSingles(), back.Tensors[key].ToSingles());
        }
    }

    [Fact]
    public void Missing_weights_read_as_none_with_the_default_config()
    {
        var back = AdapterCodec.FromWire(null, "load weights");

        Assert.Equal(new LoraConfig(), back.Lora);
        Assert.Empty(back.Tensors);
    }

    [Fact]
    public void A_malformed_upload_names_every_tensor_at_fault_and_the_operation()
    {
        var wire = AdapterCodec.ToWire(new LoraWeights(new LoraConfig(), new Dictionary<string, TensorData>
        {
            ["a"] = TensorData.FromSingles([1f, 2f]),
            ["b"] = TensorData.FromSingles([3f]),
        }));
        wire.Tensors[1].Tensor.Data = ByteString.CopyFrom(new byte[5]);
        wire.Tensors.Add(wire.Tensors[0].Clone());

        var error = Assert.Throws<BatchValidationException>(() => AdapterCodec.FromWire(wire, "load weights"));

        Assert.Equal("load weights", error.Operation);
        Assert.Equal(
            [new BatchViolation(null, "b", "the data holds 5 bytes; float32 [1] needs 4."), new BatchViolation(null, "a", "is sent twice.")],
            error.Violations);
    }

    [Fact]
    public void Checkpoint_listings_arrive_as_sent_with_each_kind()
    {
        var time = new DateTimeOffset(2026, 11, 26, 18, 30, 5, 250, TimeSpan.Zero);
        CheckpointInfo[] checkpoints =
        [
            new("step-3", CheckpointKind.Training, time, 123_456),
            new("sampler/step-3", CheckpointKind.SamplerWeights, time.AddDays(1), 7),
        ];

        var wire = AdapterCodec.ToWire(checkpoints);
        var back = AdapterCodec.FromWire(V1.ListCheckpointsResponse.Parser.ParseFrom(wire.ToByteArray()));

        Assert.Equal([V1.CheckpointKind.Training, V1.CheckpointKind.SamplerWeights], wire.Checkpoints.Select(info => info.Kind));
        Assert.Equal(time.ToUnixTimeMilliseconds(), wire.Checkpoints[0].TimeUnixMs);
        Assert.Equal(checkpoints, back);
    }

    [Fact]
    public void A_checkpoint_of_unknown_kind_is_an_error_naming_it()
    {
        var wire = new V1.ListCheckpointsResponse();
        wire.Checkpoints.Add(new V1.CheckpointInfo { Name = "odd", Kind = V1.CheckpointKind.Unspecified });

        var error = Assert.Throws<InvalidOperationException>(() => AdapterCodec.FromWire(wire));

        Assert.Equal("The server sent checkpoint 'odd' of unknown kind Unspecified.", error.Message);
    }
}
