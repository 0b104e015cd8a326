using System.Linq;
using Mint.Dsl;

namespace Mint.Protocol.Conversion;

/// <summary>
/// Request parameters on the wire: LoRA config, Adam(W) and sampling parameters. A missing message
/// means the SDK defaults; values are carried as given and validated by the engine.
/// </summary>
public static class ParamsCodec
{
    /// <summary>The wire form of a LoRA config.</summary>
    public static V1.LoraConfig ToWire(LoraConfig lora)
    {
        var wire = new V1.LoraConfig
        {
            Rank = lora.Rank,
            Seed = lora.Seed,
            TrainAttention = lora.TrainAttention,
            TrainMlp = lora.TrainMlp,
            TrainUnembed = lora.TrainUnembed,
        };
        if (lora.Alpha is double alpha)
        {
            wire.Alpha = alpha;
        }

        return wire;
    }

    /// <summary>A LoRA config read from the wire; an absent target switch keeps the default (attention and MLP, no unembedding).</summary>
    public static LoraConfig FromWire(V1.LoraConfig? wire)
    {
        if (wire is null)
        {
            return new LoraConfig();
        }

        var defaults = new LoraConfig();
        return new LoraConfig(wire.Rank, wire.HasAlpha ? wire.Alpha : null, wire.Seed)
        {
            TrainAttention = wire.HasTrainAttention ? wire.TrainAttention : defaults.TrainAttention,
            TrainMlp = wire.HasTrainMlp ? wire.TrainMlp : defaults.TrainMlp,
            TrainUnembed = wire.HasTrainUnembed ? wire.TrainUnembed : defaults.TrainUnembed,
        };
    }

    /// <summary>The wire form of Adam(W) parameters.</summary>
    public static V1.AdamParams ToWire(AdamParams adam) => new()
    {
        LearningRate = adam.LearningRate,
        Beta1 = adam.Beta1,
        Beta2 = adam.Beta2,
        Eps = adam.Eps,
        WeightDecay = adam.WeightDecay,
        GradClipNorm = adam.GradClipNorm,
    };

    /// <summary>Adam(W) parameters read from the wire.</summary>
    public static AdamParams FromWire(V1.AdamParams? wire) => wire is null
        ? new AdamParams()
        : new AdamParams(wire.LearningRate, wire.Beta1, wire.Beta2, wire.Eps, wire.WeightDecay, wire.GradClipNorm);

    /// <summary>The wire form of sampling parameters.</summary>
    public static V1.SamplingParams ToWire(SamplingParams sampling)
    {
        var wire = new V1.SamplingParams
        {
            MaxTokens = sampling.MaxTokens,
            Temperature = sampling.Temperature,
            TopP = sampling.TopP,
            TopK = sampling.TopK,
            PromptLogprobs = sampling.PromptLogprobs,
            TopkPromptLogprobs = sampling.TopKPromptLogprobs,
        };
        wire.StopTokens.AddRange(sampling.StopTokens);
        if (sampling.Seed is long seed)
        {
            wire.Seed = seed;
        }

        return wire;
    }

    /// <summary>Sampling parameters read from the wire.</summary>
    public static SamplingParams FromWire(V1.SamplingParams? wire) => wire is null
        ? new SamplingParams()
        : new SamplingParams
        {
            MaxTokens = wire.MaxTokens,
            Temperature = wire.Temperature,
            TopP = wire.TopP,
            TopK = wire.TopK,
            StopTokens = wire.StopTokens.ToArray(),
            Seed = wire.HasSeed ? wire.Seed : null,
            PromptLogprobs = wire.PromptLogprobs,
            TopKPromptLogprobs = wire.TopkPromptLogprobs,
        };
}
