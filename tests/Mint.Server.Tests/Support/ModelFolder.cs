using System;
using System.IO;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;

namespace Mint.Server.Tests.Support;

/// <summary>A tiny seeded model saved as a real model folder, deleted on dispose.</summary>
internal sealed class ModelFolder : IDisposable
{
    public ModelFolder(long seed = 1, int vocab = 48)
        : this(TinyModel.Config(vocab: vocab), seed)
    {
    }

    public ModelFolder(ModelConfig config, long seed)
    {
        Path = TinyModel.SaveFolder(config, seed);
    }

    /// <summary>One narrow layer: for tests that need many tokens on the wire, not a capable model.</summary>
    public static ModelConfig Minimal { get; } = new()
    {
        ModelType = "llama",
        VocabSize = 48,
        HiddenSize = 8,
        IntermediateSize = 16,
        NumHiddenLayers = 1,
        NumAttentionHeads = 2,
        NumKeyValueHeads = 1,
        MaxPositionEmbeddings = 64,
    };

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
