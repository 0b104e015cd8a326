using System.IO;
using System.Linq;
using Mint.Engine.Model;
using Mint.Engine.Tokenization;

namespace Mint.Samples.Preference;

/// <summary>The small Qwen3-style model and tokenizer the sample creates, since no model hub is reachable.</summary>
public static class SampleModel
{
    /// <summary>The chat format's special tokens.</summary>
    private static readonly string[] SpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"];

    /// <summary>A Qwen3-style decoder (per-head q/k norms, grouped-query attention), small enough to train on a laptop CPU in seconds.</summary>
    public static ModelConfig Config(int vocabSize) => new()
    {
        ModelType = "qwen3",
        VocabSize = vocabSize,
        HiddenSize = 64,
        IntermediateSize = 128,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDimension = 16,
        MaxPositionEmbeddings = 128,
        RopeTheta = 1e6,
    };

    /// <summary>
    /// Writes a model folder: a byte-level BPE <c>tokenizer.json</c> trained on the sample's texts (with Qwen's
    /// chat tokens) and a seeded random decoder sized to its vocabulary.
    /// </summary>
    public static void Create(string folder, long seed)
    {
        Directory.CreateDirectory(folder);
        var merges = TokenizerFile.TrainByteLevelBpe(PreferenceData.Corpus, 200);
        TokenizerFile.WriteByteLevelBpe(Path.Combine(folder, PretrainedModel.TokenizerFileName), merges, SpecialTokens);
        PretrainedModel.SaveRandom(folder, Config(256 + merges.Count + SpecialTokens.Length), seed);
    }
}
