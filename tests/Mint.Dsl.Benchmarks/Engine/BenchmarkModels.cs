using System.IO;
using Mint.Engine.Model;

namespace Mint.Dsl.Benchmarks.Engine;

/// <summary>The model sizes the engine benchmarks create (seeded, saved and loaded like real folders).</summary>
public static class BenchmarkModels
{
    /// <summary>A small decoder: 4 layers, width 128.</summary>
    public static ModelConfig Small { get; } = new()
    {
        VocabSize = 512, HiddenSize = 128, IntermediateSize = 352, NumHiddenLayers = 4,
        NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 1024,
    };

    /// <summary>A medium decoder: 6 layers, width 384.</summary>
    public static ModelConfig Medium { get; } = new()
    {
        VocabSize = 2048, HiddenSize = 384, IntermediateSize = 1024, NumHiddenLayers = 6,
        NumAttentionHeads = 6, NumKeyValueHeads = 2, MaxPositionEmbeddings = 1024,
    };

    /// <summary>A tiny decoder for smoke runs.</summary>
    public static ModelConfig Tiny { get; } = new()
    {
        VocabSize = 64, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 1,
        NumAttentionHeads = 2, NumKeyValueHeads = 1, MaxPositionEmbeddings = 128,
    };

    /// <summary>Saves a seeded model of <paramref name="config"/> to a temp folder; returns the folder.</summary>
    public static string Save(string name, ModelConfig config)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mint-bench-" + name);
        PretrainedModel.SaveRandom(folder, config, seed: 1);
        return folder;
    }

    /// <summary>
    /// Matmul FLOPs of one token's forward pass: 2 per multiply-add in every projection and the LM
    /// head, plus attention scores and values over <paramref name="context"/> positions.
    /// </summary>
    public static double ForwardFlopsPerToken(ModelConfig config, int context)
    {
        double hidden = config.HiddenSize, kv = config.KeyValueHeads * config.HeadDim, q = config.NumAttentionHeads * config.HeadDim;
        var projections = (hidden * q) + (2 * hidden * kv) + (q * hidden) + (3 * hidden * config.IntermediateSize);
        var attention = 2.0 * q * context;
        return 2 * ((config.NumHiddenLayers * (projections + attention)) + (hidden * config.VocabSize));
    }
}
