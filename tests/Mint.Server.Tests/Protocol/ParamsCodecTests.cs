using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Protocol.Conversion;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Protocol;

/// <summary>
/// Request parameters and results on the wire: every field arrives as sent (none left at a default),
/// optional fields keep "absent" apart from zero, and a missing message means the SDK's defaults.
/// </summary>
public sealed class ParamsCodecTests
{
    [Fact]
    public void Missing_messages_mean_the_sdk_defaults()
    {
        Assert.Equal(new LoraConfig(), ParamsCodec.FromWire((V1.LoraConfig?)null));
        Assert.Equal(new AdamParams(), ParamsCodec.FromWire((V1.AdamParams?)null));
        var sampling = ParamsCodec.FromWire((V1.SamplingParams?)null);
        Assert.Equal((16, 1.0, 1.0, 0, null), (sampling.MaxTokens, sampling.Temperature, sampling.TopP, sampling.TopK, sampling.Seed));
        Assert.Empty(sampling.StopTokens);
        Assert.Equal(0, BatchCodec.FromWire((V1.ModelInput?)null).Length);
    }

    [Theory]
    [InlineData(null, 0L)]
    [InlineData(0.0, 7L)]
    [InlineData(24.0, -3L)]
    public void A_lora_config_arrives_as_sent_with_alpha_absent_kept_apart_from_zero(double? alpha, long seed)
    {
        var lora = new LoraConfig(Rank: 6, Alpha: alpha, Seed: seed);

        var back = ParamsCodec.FromWire(V1.LoraConfig.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(ParamsCodec.ToWire(lora))));

        Assert.Equal(lora, back);
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void Lora_targets_arrive_as_sent(bool attention, bool mlp, bool unembed)
    {
        var lora = new LoraConfig(Rank: 4, Seed: 2) { TrainAttention = attention, TrainMlp = mlp, TrainUnembed = unembed };

        var wire = V1.LoraConfig.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(ParamsCodec.ToWire(lora)));
        var info = ResultCodec.FromWire(V1.ModelInfo.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(ResultCodec.ToWire(new ModelInfo("tiny", 48, 64, lora, 1)))));

        Assert.True(wire.HasTrainAttention && wire.HasTrainMlp && wire.HasTrainUnembed, "every switch is sent, also when it has the default value");
        Assert.Equal(lora, ParamsCodec.FromWire(wire));
        Assert.Equal(lora, info.Lora);
    }

    [Fact]
    public void A_lora_config_from_a_client_without_target_fields_adapts_attention_and_mlp()
    {
        // What a client built before the target fields sends: rank, alpha and seed only.
        var old = new V1.LoraConfig { Rank = 4, Seed = 2 };

        var lora = ParamsCodec.FromWire(V1.LoraConfig.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(old)));

        Assert.Equal((true, true, false), (lora.TrainAttention, lora.TrainMlp, lora.TrainUnembed));
    }

    [Fact]
    public void Adam_params_arrive_as_sent()
    {
        var adam = new AdamParams(LearningRate: 3e-4, Beta1: 0.8, Beta2: 0.97, Eps: 1e-7, WeightDecay: 0.05);

        Assert.Equal(adam, ParamsCodec.FromWire(ParamsCodec.ToWire(adam)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(42L)]
    public void Sampling_params_arrive_as_sent_with_the_seed_absent_kept_apart_from_zero(long? seed)
    {
        var sampling = new SamplingParams { MaxTokens = 9, Temperature = 0.7, TopP = 0.9, TopK = 5, StopTokens = [3, 8], Seed = seed };

        var back = ParamsCodec.FromWire(V1.SamplingParams.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(ParamsCodec.ToWire(sampling))));

        Assert.Equal((9, 0.7, 0.9, 5, seed), (back.MaxTokens, back.Temperature, back.TopP, back.TopK, back.Seed));
        Assert.Equal([3, 8], back.StopTokens);
    }

    [Fact]
    public void Results_arrive_as_sent()
    {
        var info = new ModelInfo("tiny", 48, 64, new LoraConfig(4, 8, 2), 3);
        var step = new OptimStepResult(5, new Dictionary<string, double> { ["grad_norm"] = 1.25, ["learning_rate"] = 1e-3 });
        var sample = new SampleResult([
            new SampledSequence([4, 5], [-1.5f, -0.25f], StopReason.StopToken),
            new SampledSequence([6], [-2f], StopReason.Length),
        ]);
        var forward = new ForwardResult([TensorData.FromSingles([-1f, -2f]), TensorData.FromSingles([-3f])]);

        Assert.Equal(info, ResultCodec.FromWire(ResultCodec.ToWire(info)));
        var stepBack = ResultCodec.FromWire(ResultCodec.ToWire(step));
        Assert.Equal(5, stepBack.Step);
        Assert.Equal(step.Metrics, stepBack.Metrics);
        var sampleBack = ResultCodec.FromWire(ResultCodec.ToWire(sample));
        Assert.Equal(sample.Sequences.Select(s => (s.Tokens.ToArray(), s.Logprobs.ToArray(), s.StopReason)),
            sampleBack.Sequences.Select(s => (s.Tokens.ToArray(), s.Logprobs.ToArray(), s.StopReason)));
        Assert.Equal(forward.Logprobs.Select(row => row.ToSingles()), ResultCodec.FromWire(ResultCodec.ToWire(forward)).Logprobs.Select(row => row.ToSingles()));
    }

    [Fact]
    public void An_unknown_stop_reason_from_the_server_is_an_error_naming_it()
    {
        var wire = new V1.SampleResponse();
        wire.Sequences.Add(new V1.SampledSequence { StopReason = V1.StopReason.Unspecified });

        var error = Assert.Throws<InvalidOperationException>(() => ResultCodec.FromWire(wire));

        Assert.Equal("The server sent an unknown stop reason Unspecified.", error.Message);
    }
}
