using Mint.Engine.Model;

namespace Mint.Samples.Preference;

/// <summary>The small decoder the samples create and train.</summary>
public static class SampleModel
{
    /// <summary>A Llama-style decoder with grouped-query attention, small enough to train on a laptop CPU in seconds.</summary>
    public static ModelConfig Config { get; } = new()
    {
        ModelType = "llama",
        VocabSize = 64,
        HiddenSize = 64,
        IntermediateSize = 128,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 128,
    };
}
