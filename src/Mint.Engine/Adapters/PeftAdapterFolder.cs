using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Training;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mint.Engine.Adapters;

/// <summary>
/// A LoRA adapter folder in the layout Hugging Face peft writes and loads
/// (<c>PeftModel.from_pretrained(base, folder)</c>): <c>adapter_config.json</c> and
/// <c>adapter_model.safetensors</c> with tensors named
/// <c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c> <c>[r, in]</c> and
/// <c>…lora_B.weight</c> <c>[out, r]</c>. The engine's names are the same without the
/// <c>base_model.model.</c> prefix, so reading and writing only rename.
/// </summary>
public static class PeftAdapterFolder
{
    /// <summary>The weights file's name.</summary>
    public const string WeightsFile = "adapter_model.safetensors";

    /// <summary>The config file's name.</summary>
    public const string ConfigFile = PeftAdapterConfig.FileName;

    /// <summary>What peft puts before a transformers parameter name in a causal-LM adapter.</summary>
    public const string NamePrefix = "base_model.model.";

    /// <summary>
    /// Reads the adapter in <paramref name="folder"/>: its config (refusing, by name, every option the
    /// engine cannot compute exactly) and its tensors as float32 under the engine's names. Which
    /// tensors a model needs is checked when a session starts from them.
    /// </summary>
    /// <exception cref="CheckpointException">The folder is missing a file, or holds something the engine cannot load.</exception>
    public static LoraWeights Read(string folder)
    {
        // A sampler-weights checkpoint whose save was cut short is read from where the save set it aside.
        folder = CheckpointFolder.Readable(folder) ?? folder;
        var configPath = Path.Combine(folder, ConfigFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(configPath))
        {
            throw new CheckpointException($"Adapter folder {folder} has no {ConfigFile}.");
        }

        if (!File.Exists(weightsPath))
        {
            var other = File.Exists(Path.Combine(folder, "adapter_model.bin")) ? " (it has adapter_model.bin, a pickle the engine does not read; save with safe_serialization=True)" : string.Empty;
            throw new CheckpointException($"Adapter folder {folder} has no {WeightsFile}{other}.");
        }

        var lora = PeftAdapterConfig.Parse(File.ReadAllText(configPath), folder);
        Dictionary<string, Tensor> stored;
        try
        {
            stored = Safetensors.LoadStateDict(weightsPath);
        }
        catch (Exception error) when (error is not CheckpointException)
        {
            throw new CheckpointException($"Adapter folder {folder}: {WeightsFile} is not readable safetensors: {error.Message}");
        }

        try
        {
            var unprefixed = stored.Keys.Where(name => !name.StartsWith(NamePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            if (unprefixed.Count > 0)
            {
                throw new CheckpointException($"Adapter folder {folder}: {WeightsFile} holds {string.Join(", ", unprefixed)}, not named '{NamePrefix}…' as peft names a causal-LM adapter's tensors.");
            }

            var tensors = new SortedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, tensor) in stored)
            {
                using var values = tensor.to(ScalarType.Float32).contiguous();
                tensors[name[NamePrefix.Length..]] = TensorData.FromSingles(values.data<float>().ToArray(), values.shape);
            }

            return new LoraWeights(lora, tensors);
        }
        finally
        {
            foreach (var tensor in stored.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Writes <paramref name="weights"/> to <paramref name="folder"/> as a peft adapter for <paramref name="baseModel"/>.</summary>
    public static void Write(string folder, LoraWeights weights, string baseModel)
    {
        Directory.CreateDirectory(folder);
        var tensors = weights.Tensors.ToDictionary(
            entry => NamePrefix + entry.Key,
            entry => tensor(entry.Value.ToSingles(), entry.Value.Shape.ToArray()));
        try
        {
            Safetensors.SaveStateDict(Path.Combine(folder, WeightsFile), tensors);
        }
        finally
        {
            foreach (var written in tensors.Values)
            {
                written.Dispose();
            }
        }

        File.WriteAllText(Path.Combine(folder, ConfigFile), PeftAdapterConfig.Format(weights.Lora, baseModel));
    }
}
