using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mint.Dsl;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mint.Engine.Training;

/// <summary>
/// A training session saved to a folder: the adapter weights, the optimizer's moments and step, and
/// the LoRA config, as safetensors plus a small JSON file. Everything is read and checked before
/// anything in the session changes.
/// </summary>
internal sealed record SessionCheckpoint(
    string BaseModel,
    LoraConfig Lora,
    long Step,
    Dictionary<string, Tensor> Adapters,
    Dictionary<string, Tensor> Optimizer)
{
    private const string AdaptersFile = "adapter_model.safetensors";
    private const string OptimizerFile = "optimizer.safetensors";
    /// <summary>The file that marks a folder as a training checkpoint.</summary>
    public const string StateFile = "training_state.json";

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        Safetensors.SaveStateDict(Path.Combine(folder, AdaptersFile), Cpu(Adapters));
        Safetensors.SaveStateDict(Path.Combine(folder, OptimizerFile), Cpu(Optimizer));
        File.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(new State(BaseModel, Lora.Rank, Lora.ResolvedAlpha, Lora.Seed, Step)));
    }

    public static SessionCheckpoint Load(string folder)
    {
        foreach (var file in new[] { AdaptersFile, OptimizerFile, StateFile })
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                throw new CheckpointException($"Checkpoint {folder} has no {file}.");
            }
        }

        State state;
        try
        {
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(folder, StateFile)))
                ?? throw new CheckpointException($"Checkpoint {folder}: {StateFile} is empty.");
        }
        catch (JsonException error)
        {
            throw new CheckpointException($"Checkpoint {folder}: {StateFile} is not valid JSON: {error.Message}");
        }

        return new SessionCheckpoint(
            state.BaseModel,
            new LoraConfig(state.Rank, state.Alpha, state.Seed),
            state.Step,
            Safetensors.LoadStateDict(Path.Combine(folder, AdaptersFile)),
            Safetensors.LoadStateDict(Path.Combine(folder, OptimizerFile)));
    }

    /// <summary>Names every tensor that is missing or misshapen against <paramref name="expected"/>.</summary>
    public static IEnumerable<string> Mismatches(IReadOnlyDictionary<string, Tensor> actual, IEnumerable<(string Name, long[] Shape)> expected) =>
        expected.Select(entry => !actual.TryGetValue(entry.Name, out var tensor)
                ? $"missing {entry.Name}"
                : tensor.shape.SequenceEqual(entry.Shape) ? null
                : $"{entry.Name} is [{string.Join(", ", tensor.shape)}], expected [{string.Join(", ", entry.Shape)}]")
            .OfType<string>();

    private static Dictionary<string, Tensor> Cpu(Dictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(entry => entry.Key, entry => entry.Value.detach().cpu().contiguous());

    private sealed record State(string BaseModel, int Rank, double Alpha, long Seed, long Step);
}
