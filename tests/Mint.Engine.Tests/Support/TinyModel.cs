using System;
using System.IO;
using Mint.Engine.Model;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// Small decoders created by the tests: seeded random weights saved as a real model folder and
/// loaded back through the same code that loads Hugging Face folders.
/// </summary>
internal static class TinyModel
{
    public static ModelConfig Config(int vocab = 48, int context = 64) => new()
    {
        ModelType = "llama",
        VocabSize = vocab,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = context,
        RopeTheta = 10000,
        RmsNormEps = 1e-6,
        TieWordEmbeddings = false,
    };

    /// <summary>Saves a seeded model to a fresh folder and returns the folder.</summary>
    public static string SaveFolder(ModelConfig? config = null, long seed = 1)
    {
        var folder = Directory.CreateTempSubdirectory("mint-model-").FullName;
        PretrainedModel.SaveRandom(folder, config ?? Config(), seed);
        return folder;
    }

    /// <summary>A seeded model, round-tripped through a model folder.</summary>
    public static PretrainedModel Load(ModelConfig? config = null, long seed = 1)
    {
        var folder = SaveFolder(config, seed);
        try
        {
            return PretrainedModel.Load(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
