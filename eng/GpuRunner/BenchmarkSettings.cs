using System;
using System.Globalization;
using Mint.Engine.Compute;
using Mint.Engine.Model;

namespace Mint.GpuRunner;

/// <summary>One GPU benchmark configuration, from the command line.</summary>
internal sealed record BenchmarkSettings(
    string Shape,
    int Batch,
    int Tokens,
    WeightPrecision Precision,
    bool Tf32,
    bool Checkpointing,
    int Steps,
    bool Custom,
    string Device = "cuda")
{
    public static BenchmarkSettings Parse(string[] args)
    {
        var settings = new BenchmarkSettings("small", 8, 512, WeightPrecision.Float32, false, false, 5, false);
        for (var index = 0; index < args.Length; index++)
        {
            string Next() => index + 1 < args.Length ? args[++index] : throw new ArgumentException($"{args[index]} needs a value.");
            settings = args[index] switch
            {
                "--shape" => settings with { Shape = Next() },
                "--batch" => settings with { Batch = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--tokens" => settings with { Tokens = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--dtype" => settings with { Precision = WeightPrecisions.Parse(Next(), "--dtype") },
                "--tf32" => settings with { Tf32 = true },
                "--checkpointing" => settings with { Checkpointing = true },
                "--steps" => settings with { Steps = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--custom" => settings with { Custom = true },
                "--device" => settings with { Device = Next() },
                _ => throw new ArgumentException($"Unknown option {args[index]}."),
            };
        }

        return settings;
    }

    /// <summary>
    /// The model shape: <c>qwen3-1.7b</c> is a Llama-architecture decoder with Qwen3-1.7B's sizes;
    /// <c>small</c> the 8-layer, 1024-wide model of the first GPU measurement. Same as eng/gpu/peer.py.
    /// </summary>
    public ModelConfig Config() => Shape switch
    {
        "qwen3-1.7b" => new ModelConfig
        {
            VocabSize = 151936, HiddenSize = 2048, IntermediateSize = 6144, NumHiddenLayers = 28,
            NumAttentionHeads = 16, NumKeyValueHeads = 8, MaxPositionEmbeddings = 4096,
            RopeTheta = 1000000, RmsNormEps = 1e-6, TieWordEmbeddings = true,
        },
        "small" => new ModelConfig
        {
            VocabSize = 32000, HiddenSize = 1024, IntermediateSize = 2816, NumHiddenLayers = 8,
            NumAttentionHeads = 16, NumKeyValueHeads = 8, MaxPositionEmbeddings = 2048,
            RopeTheta = 10000, RmsNormEps = 1e-6, TieWordEmbeddings = false,
        },
        _ => throw new ArgumentException($"--shape is '{Shape}'; use qwen3-1.7b or small."),
    };
}
