using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Tokenizers;
using Mint.Dsl;
using Mint.Engine.Compute;
using Mint.Engine.Tokenization;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>
/// A base model as it sits in a Hugging Face-style folder: <c>config.json</c> and
/// <c>*.safetensors</c> (and <c>tokenizer.json</c>, read by the tokenizer).
/// </summary>
public sealed class PretrainedModel : IDisposable
{
    /// <summary>The config file's name.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The weights file <see cref="Save"/> writes.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The tokenizer file, read when present.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>Wraps weights (and optionally a tokenizer) under a name.</summary>
    public PretrainedModel(string name, ModelWeights weights, Tokenizer? tokenizer = null)
    {
        Name = name;
        Weights = weights;
        Tokenizer = tokenizer;
    }

    /// <summary>The name clients and checkpoints know the model by: its folder's name unless given at load (e.g. a hub id).</summary>
    public string Name { get; }

    /// <summary>The model's shape.</summary>
    public ModelConfig Config => Weights.Config;

    /// <summary>The frozen weights.</summary>
    public ModelWeights Weights { get; }

    /// <summary>The folder's <c>tokenizer.json</c>, or null when it has none.</summary>
    public Tokenizer? Tokenizer { get; }

    /// <summary>
    /// Loads <paramref name="folder"/>: refuses a config the engine cannot compute exactly, and checks the
    /// weights (single or sharded safetensors, fp32/bf16/fp16) against it both ways, naming every tensor that
    /// is missing, misshapen or unused. The weights go to <paramref name="device"/> (CPU when null) in <paramref name="precision"/>.
    /// <paramref name="name"/> is the name clients and checkpoints use (a hub id such as <c>Qwen/Qwen3-8B</c>,
    /// which the Python SDK also loads the tokenizer by); the folder's name when null.
    /// </summary>
    public static PretrainedModel Load(string folder, Device? device = null, WeightPrecision precision = WeightPrecision.Float32, string? name = null)
    {
        TorchNative.EnsureLoaded();
        if (name is not null && (name.Length == 0 || name.Any(char.IsWhiteSpace) || name.Any(char.IsControl)))
        {
            throw new ArgumentException($"Model name '{name}' must be non-empty, without white space or control characters.", nameof(name));
        }

        if (!Directory.Exists(folder))
        {
            throw new ModelLoadException($"Model folder {folder} does not exist.");
        }

        var configPath = Path.Combine(folder, ConfigFile);
        if (!File.Exists(configPath))
        {
            throw new ModelLoadException($"Model folder {folder} has no {ConfigFile}.");
        }

        var config = ModelConfig.Load(configPath);
        var tokenizer = LoadTokenizer(Path.Combine(folder, TokenizerFileName), config);
        var loaded = SafetensorsFiles.Load(folder);
        try
        {
            var modelName = name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
            return new PretrainedModel(modelName, ModelWeights.From(config, loaded, device ?? CPU, folder, precision), tokenizer);
        }
        finally
        {
            foreach (var tensor in loaded.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Writes a seeded random model of <paramref name="config"/> to <paramref name="folder"/>: how tests,
    /// samples and <c>--create-model</c> make the small models they train, since no model hub is reachable.
    /// </summary>
    public static void SaveRandom(string folder, ModelConfig config, long seed)
    {
        TorchNative.EnsureLoaded();
        using var model = new PretrainedModel(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), ModelWeights.Random(config, seed));
        model.Save(folder);
    }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> to <paramref name="folder"/>.</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        Config.Save(Path.Combine(folder, ConfigFile));
        Safetensors.SaveStateDict(Path.Combine(folder, WeightsFile), Weights.ToDictionary()
            .ToDictionary(entry => entry.Key, entry => entry.Value.cpu()));
    }

    /// <inheritdoc />
    public void Dispose() => Weights.Dispose();

    private static Tokenizer? LoadTokenizer(string path, ModelConfig config)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var tokenizer = TokenizerFile.Load(path);
        if (tokenizer is BpeTokenizer bpe)
        {
            var largest = bpe.Vocabulary.Values.Concat(bpe.SpecialTokens?.Values ?? []).Max();
            if (largest >= config.VocabSize)
            {
                throw new ModelLoadException($"{path} has token id {largest}, but the model's vocab_size is {config.VocabSize}.");
            }
        }

        return tokenizer;
    }
}
