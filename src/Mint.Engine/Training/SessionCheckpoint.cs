using System;
using System.Buffers.Binary;
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

    /// <summary>
    /// Writes the checkpoint to <paramref name="folder"/> atomically (<see cref="CheckpointFolder"/>):
    /// a crash at any moment leaves the previous checkpoint there, or this one, never a mix.
    /// </summary>
    public void Save(string folder) => CheckpointFolder.Replace(folder, incoming =>
    {
        Safetensors.SaveStateDict(Path.Combine(incoming, AdaptersFile), Cpu(Adapters));
        Safetensors.SaveStateDict(Path.Combine(incoming, OptimizerFile), Cpu(Optimizer));
        File.WriteAllText(Path.Combine(incoming, StateFile), JsonSerializer.Serialize(new State(BaseModel, Lora.Rank, Lora.ResolvedAlpha, Lora.Seed, Step, Lora.TrainAttention, Lora.TrainMlp, Lora.TrainUnembed)));
    });

    /// <summary>Reads the checkpoint at <paramref name="folder"/>; anything missing or damaged is a <see cref="CheckpointException"/> naming the file.</summary>
    public static SessionCheckpoint Load(string folder)
    {
        var (state, readable) = ReadState(folder);
        var adapters = Tensors(folder, readable, AdaptersFile);
        try
        {
            return new SessionCheckpoint(
                state.BaseModel,
                state.Lora(),
                state.Step,
                adapters,
                Tensors(folder, readable, OptimizerFile));
        }
        catch
        {
            foreach (var tensor in adapters.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// What the checkpoint at <paramref name="folder"/> was trained as, from its state file alone: its
    /// tensors are not read (a load checks them). A missing file or unreadable state is a
    /// <see cref="CheckpointException"/> naming it.
    /// </summary>
    public static CheckpointOrigin ReadOrigin(string folder)
    {
        var (state, _) = ReadState(folder);
        return new CheckpointOrigin(state.BaseModel, state.Lora(), state.Step);
    }

    /// <summary>Checks that every file is there and reads the state file; returns it and the folder to read from.</summary>
    private static (State State, string Readable) ReadState(string folder)
    {
        var readable = CheckpointFolder.Readable(folder) ?? throw new CheckpointException($"Checkpoint {folder} does not exist.");
        foreach (var file in new[] { AdaptersFile, OptimizerFile, StateFile })
        {
            if (!File.Exists(Path.Combine(readable, file)))
            {
                throw new CheckpointException($"Checkpoint {folder} has no {file}.");
            }
        }

        try
        {
            var state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(readable, StateFile)))
                ?? throw new CheckpointException($"Checkpoint {folder}: {StateFile} is empty.");
            return (state, readable);
        }
        catch (JsonException error)
        {
            throw new CheckpointException($"Checkpoint {folder}: {StateFile} is not valid JSON: {error.Message}");
        }
    }

    /// <summary>Names every tensor that is missing or misshapen against <paramref name="expected"/>.</summary>
    public static IEnumerable<string> Mismatches(IReadOnlyDictionary<string, Tensor> actual, IEnumerable<(string Name, long[] Shape)> expected) =>
        expected.Select(entry => !actual.TryGetValue(entry.Name, out var tensor)
                ? $"missing {entry.Name}"
                : tensor.shape.SequenceEqual(entry.Shape) ? null
                : $"{entry.Name} is [{string.Join(", ", tensor.shape)}], expected [{string.Join(", ", entry.Shape)}]")
            .OfType<string>();

    /// <summary>
    /// The tensors of a safetensors file. The header's length is checked against the file first, so a
    /// damaged file costs no allocation; anything the reader then rejects names the checkpoint and file.
    /// </summary>
    private static Dictionary<string, Tensor> Tensors(string folder, string readable, string file)
    {
        var path = Path.Combine(readable, file);
        var length = new FileInfo(path).Length;
        string? problem = null;
        if (length < 8)
        {
            problem = $"it has {length} bytes, fewer than a safetensors header";
        }
        else
        {
            using var stream = File.OpenRead(path);
            Span<byte> prefix = stackalloc byte[8];
            stream.ReadExactly(prefix);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)(length - 8))
            {
                problem = $"its header claims {headerLength} bytes but the file has {length - 8} after the length prefix (truncated?)";
            }
        }

        if (problem is null)
        {
            try
            {
                return Safetensors.LoadStateDict(path);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                problem = error.Message;
            }
        }

        throw new CheckpointException($"Checkpoint {folder}: {file} is damaged: {problem}.");
    }

    private static Dictionary<string, Tensor> Cpu(Dictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(entry => entry.Key, entry => entry.Value.detach().cpu().contiguous());

    /// <summary>
    /// The JSON file's content. The target switches were added later: a checkpoint written before
    /// them has none, and adapted attention and MLP only (today's default).
    /// </summary>
    private sealed record State(string BaseModel, int Rank, double Alpha, long Seed, long Step, bool? TrainAttention = null, bool? TrainMlp = null, bool? TrainUnembed = null)
    {
        public LoraConfig Lora() => new(Rank, Alpha, Seed)
        {
            TrainAttention = TrainAttention ?? true,
            TrainMlp = TrainMlp ?? true,
            TrainUnembed = TrainUnembed ?? false,
        };
    }
}
