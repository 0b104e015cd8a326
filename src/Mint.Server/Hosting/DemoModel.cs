using System.IO;
using Mint.Engine.Model;

namespace Mint.Server.Hosting;

/// <summary>
/// The small random Llama-style model <c>--create-model</c> writes, so a server can be tried out
/// without downloading anything. Its outputs are meaningless until trained.
/// </summary>
public static class DemoModel
{
    /// <summary>Its shape: 2 layers, width 64, vocabulary 256, context 256.</summary>
    public static ModelConfig Config { get; } = new()
    {
        ModelType = "llama",
        VocabSize = 256,
        HiddenSize = 64,
        IntermediateSize = 128,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 256,
    };

    /// <summary>Writes the model to <paramref name="folder"/> unless it already holds a <c>config.json</c>; returns true when it wrote one.</summary>
    public static bool CreateIfMissing(string folder, long seed = 0)
    {
        if (File.Exists(Path.Combine(folder, PretrainedModel.ConfigFile)))
        {
            return false;
        }

        PretrainedModel.SaveRandom(folder, Config, seed);
        return true;
    }
}
