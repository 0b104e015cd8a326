using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Mint.Dsl;
using Wire = Mint.Protocol.Tinker.Wire;

namespace Mint.Protocol.Tinker;

/// <summary>
/// Settings between Mint and Tinker's JSON: LoRA, Adam and sampling. Where the two differ (Tinker's
/// <c>top_k</c> of -1 is Mint's 0; Tinker has no LoRA alpha) a value that cannot be honoured exactly
/// is refused with its key named, never dropped.
/// </summary>
public static class TinkerParamsCodec
{
    /// <summary>
    /// The wire form of <paramref name="lora"/>, its targets as they are (<c>train_attn</c>,
    /// <c>train_mlp</c>, <c>train_unembed</c>); an alpha other than the rank has no Tinker field and is refused.
    /// </summary>
    public static Wire.LoraConfig ToWire(LoraConfig lora)
    {
        if (lora.ResolvedAlpha != lora.Rank)
        {
            throw new ArgumentException($"LoRA alpha {lora.ResolvedAlpha} cannot be sent over Tinker's protocol, which has no alpha (the server uses alpha = rank); leave Alpha unset.", nameof(lora));
        }

        return new Wire.LoraConfig { Rank = lora.Rank, Seed = lora.Seed, TrainUnembed = lora.TrainUnembed, TrainMlp = lora.TrainMlp, TrainAttn = lora.TrainAttention };
    }

    /// <summary>
    /// Reads a LoRA config (alpha = rank, seed 0 when absent; an absent config has the engine's
    /// default rank and the SDK's default targets: all on), or lists what cannot be honoured.
    /// </summary>
    public static LoraConfig FromWire(Wire.LoraConfig? wire, List<BatchViolation> violations)
    {
        wire ??= new Wire.LoraConfig { Rank = new LoraConfig().Rank };
        if (!wire.TrainUnembed && !wire.TrainMlp && !wire.TrainAttn)
        {
            violations.Add(new(null, "lora_config", "has train_unembed, train_mlp and train_attn all false; the adapter would adapt nothing: set at least one to true."));
        }

        if (wire.Rank < 1)
        {
            violations.Add(new(null, "lora_config.rank", $"is {wire.Rank}; it must be at least 1."));
        }

        return new LoraConfig(Math.Max(wire.Rank, 1), Seed: wire.Seed ?? 0)
        {
            TrainAttention = wire.TrainAttn,
            TrainMlp = wire.TrainMlp,
            TrainUnembed = wire.TrainUnembed,
        };
    }

    /// <summary>The wire form of what a checkpoint was trained as (<c>weights_info</c>): Tinker's rank and trained parts; alpha and seed have no field.</summary>
    public static Wire.WeightsInfoResponse ToWire(CheckpointWeightsInfo info) => new()
    {
        BaseModel = info.BaseModel,
        IsLora = true,
        LoraRank = info.Lora.Rank,
        TrainUnembed = info.Lora.TrainUnembed,
        TrainMlp = info.Lora.TrainMlp,
        TrainAttn = info.Lora.TrainAttention,
    };

    /// <summary>Reads a <c>weights_info</c> answer, or throws naming what a session here cannot be made with.</summary>
    /// <exception cref="BatchValidationException">The checkpoint is not LoRA, has no rank, or adapts nothing.</exception>
    public static CheckpointWeightsInfo FromWire(Wire.WeightsInfoResponse wire)
    {
        var violations = new List<BatchViolation>();
        if (!wire.IsLora || wire.LoraRank is null)
        {
            violations.Add(new(null, "is_lora", $"is {wire.IsLora} with lora_rank {wire.LoraRank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}; only LoRA checkpoints with a rank can be loaded."));
        }

        // The SDK reads an absent flag as true (create_training_client_from_state).
        var lora = FromWire(
            new Wire.LoraConfig { Rank = wire.LoraRank ?? 1, TrainUnembed = wire.TrainUnembed ?? true, TrainMlp = wire.TrainMlp ?? true, TrainAttn = wire.TrainAttn ?? true },
            violations);
        if (violations.Count > 0)
        {
            throw new BatchValidationException("weights_info", violations);
        }

        return new CheckpointWeightsInfo(wire.BaseModel, lora);
    }

    /// <summary>The wire form of <paramref name="adam"/>.</summary>
    public static Wire.AdamParams ToWire(AdamParams adam) => new()
    {
        LearningRate = adam.LearningRate,
        Beta1 = adam.Beta1,
        Beta2 = adam.Beta2,
        Eps = adam.Eps,
        WeightDecay = adam.WeightDecay,
        GradClipNorm = adam.GradClipNorm,
    };

    /// <summary>Reads Adam settings (the engine checks their ranges).</summary>
    public static AdamParams FromWire(Wire.AdamParams wire) =>
        new(wire.LearningRate, wire.Beta1, wire.Beta2, wire.Eps, wire.WeightDecay, wire.GradClipNorm);

    /// <summary>The wire form of <paramref name="sampling"/>: top-k 0 (all tokens) is -1, stop tokens are ids.</summary>
    public static Wire.SamplingParams ToWire(SamplingParams sampling) => new()
    {
        MaxTokens = sampling.MaxTokens,
        Seed = sampling.Seed,
        Stop = sampling.StopTokens.Count == 0 ? null : JsonSerializer.SerializeToElement(sampling.StopTokens.ToArray(), StopTokensJson.Default.Int32Array),
        Temperature = sampling.Temperature,
        TopK = sampling.TopK == 0 ? -1 : sampling.TopK,
        TopP = sampling.TopP,
    };

    /// <summary>Reads sampling settings, or lists what the engine cannot do (text stop sequences, a missing max_tokens).</summary>
    public static SamplingParams FromWire(Wire.SamplingParams wire, List<BatchViolation> violations)
    {
        if (wire.MaxTokens is null)
        {
            violations.Add(new(null, "sampling_params.max_tokens", "is missing; this server needs an explicit max_tokens."));
        }

        if (wire.TopK == 0 || wire.TopK < -1)
        {
            violations.Add(new(null, "sampling_params.top_k", $"is {wire.TopK}; use -1 for all tokens or a positive k."));
        }

        return new SamplingParams
        {
            MaxTokens = wire.MaxTokens ?? 1,
            Seed = wire.Seed,
            Temperature = wire.Temperature,
            TopK = wire.TopK > 0 ? wire.TopK : 0,
            TopP = wire.TopP,
            StopTokens = StopTokens(wire.Stop, violations),
        };
    }

    private static int[] StopTokens(JsonElement? stop, List<BatchViolation> violations)
    {
        if (stop is null || stop.Value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (stop.Value.ValueKind == JsonValueKind.Array && stop.Value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out _)))
        {
            return stop.Value.EnumerateArray().Select(item => item.GetInt32()).ToArray();
        }

        violations.Add(new(null, "sampling_params.stop", "holds text; this server has no tokenizer-side stop strings: send stop token ids."));
        return [];
    }
}
