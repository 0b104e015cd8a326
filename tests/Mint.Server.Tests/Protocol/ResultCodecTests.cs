using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Mint.Dsl;
using Mint.Protocol.Conversion;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Protocol;

/// <summary>
/// Engine results through the encoded bytes: optional parts (top-k log-probs, prompt log-probs) arrive
/// when sent and stay absent when not, and prompt log-probs keep position 0 empty on both ends.
/// </summary>
public sealed class ResultCodecTests
{
    private static readonly TokenLogprob[][] TopK = [[new(5, -0.25f), new(9, -2f)], [new(1, -0.5f), new(5, -1f)]];

    [Fact]
    public void Forward_top_k_logprobs_arrive_per_datum_and_stay_absent_when_not_asked_for()
    {
        var with = new ForwardResult([TensorData.FromSingles([-1f, -2f]), TensorData.FromSingles([-3f])])
        {
            TopKLogprobs = [TopK, TopK.Take(1).ToArray()],
        };
        var without = new ForwardResult([TensorData.FromSingles([-1f])]);

        var back = ResultCodec.FromWire(V1.ForwardResponse.Parser.ParseFrom(ResultCodec.ToWire(with).ToByteArray()));
        var backWithout = ResultCodec.FromWire(V1.ForwardResponse.Parser.ParseFrom(ResultCodec.ToWire(without).ToByteArray()));

        Assert.Equal(2, back.TopKLogprobs!.Count);
        Assert.Equal(TopK, back.TopKLogprobs[0].Select(row => row.ToArray()));
        Assert.Equal(TopK.Take(1), back.TopKLogprobs[1].Select(row => row.ToArray()));
        Assert.Null(backWithout.TopKLogprobs);
        Assert.Equal([-1f], backWithout.Logprobs[0].ToSingles());
    }

    [Fact]
    public void Forward_backward_metrics_and_outputs_arrive_as_sent()
    {
        var result = new ForwardBackwardResult(
            new Dictionary<string, double> { ["loss:sum"] = 2.75, ["margin"] = -0.5 },
            [
                new Dictionary<string, TensorData> { ["logprobs"] = TensorData.FromSingles([-0.5f, -1f]) },
                new Dictionary<string, TensorData> { ["logprobs"] = TensorData.FromSingles([-2f]), ["extra"] = TensorData.FromInt64s([4, 2]) },
            ]);

        var back = ResultCodec.FromWire(V1.ForwardBackwardResponse.Parser.ParseFrom(ResultCodec.ToWire(result).ToByteArray()));

        Assert.Equal(result.Metrics, back.Metrics);
        Assert.Equal(2, back.LossFnOutputs.Count);
        Assert.Equal([-0.5f, -1f], back.Logprobs(0).ToSingles());
        Assert.Equal([-2f], back.Logprobs(1).ToSingles());
        Assert.Equal([4L, 2L], back.LossFnOutputs[1]["extra"].ToInt64s());
    }

    [Fact]
    public void Prompt_logprobs_travel_from_position_1_and_arrive_with_position_0_empty()
    {
        var sample = new SampleResult([new SampledSequence([4], [-1f], StopReason.Length)])
        {
            PromptLogprobs = [null, -1.5f, -0.25f],
            TopKPromptLogprobs = [null, TopK[0], TopK[1]],
        };

        var wire = ResultCodec.ToWire(sample);
        var back = ResultCodec.FromWire(V1.SampleResponse.Parser.ParseFrom(wire.ToByteArray()));

        Assert.Equal([-1.5f, -0.25f], wire.PromptLogprobs.Values);
        Assert.Equal([2L, 2L], wire.TopkPromptLogprobs.Tokens.Shape);
        Assert.Equal(sample.PromptLogprobs, back.PromptLogprobs);
        Assert.Null(back.TopKPromptLogprobs![0]);
        Assert.Equal(TopK, back.TopKPromptLogprobs.Skip(1).Select(row => row!.ToArray()));
    }

    [Fact]
    public void Prompt_logprobs_not_asked_for_stay_absent()
    {
        var back = ResultCodec.FromWire(ResultCodec.ToWire(new SampleResult([new SampledSequence([4], [-1f], StopReason.StopToken)])));

        Assert.Null(back.PromptLogprobs);
        Assert.Null(back.TopKPromptLogprobs);
    }
}
