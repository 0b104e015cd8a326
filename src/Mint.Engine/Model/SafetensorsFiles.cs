using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>
/// Reads the tensors of a model folder: one or more <c>*.safetensors</c> files, or the shards a
/// <c>model.safetensors.index.json</c> names (as every model above about 5 GB ships). With an index, every
/// shard it names must exist, every tensor must sit in the shard the index says, and no other weights file
/// may lie beside them. Without one, a tensor may appear in only one file.
/// </summary>
internal static class SafetensorsFiles
{
    /// <summary>The index of a sharded checkpoint.</summary>
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Every tensor by name; the caller owns (and disposes) them. Throws one <see cref="ModelLoadException"/> naming every problem.</summary>
    public static Dictionary<string, Tensor> Load(string folder)
    {
        var indexPath = Path.Combine(folder, IndexFile);
        var present = Directory.GetFiles(folder, "*.safetensors").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal).ToList();
        var index = File.Exists(indexPath) ? ReadIndex(indexPath) : null;
        var problems = new List<string>();
        List<string> files;
        if (index is null)
        {
            if (present.Count == 0)
            {
                throw new ModelLoadException($"Model folder {folder} has no *.safetensors weights.");
            }

            files = present;
        }
        else
        {
            files = index.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            problems.AddRange(files.Where(file => !present.Contains(file)).Select(file => $"{IndexFile} names shard {file}, which is not in the folder"));
            problems.AddRange(present.Where(file => !files.Contains(file)).Select(file => $"{file} is not named by {IndexFile}"));
            files = files.Where(present.Contains).ToList();
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var file in files)
            {
                foreach (var (name, tensor) in Read(Path.Combine(folder, file)))
                {
                    if (origin.TryGetValue(name, out var first))
                    {
                        problems.Add($"{name} is in both {first} and {file}");
                        tensor.Dispose();
                        continue;
                    }

                    tensors[name] = tensor;
                    origin[name] = file;
                    if (index is not null)
                    {
                        if (!index.TryGetValue(name, out var indexed))
                        {
                            problems.Add($"{name} is in {file} but not in {IndexFile}");
                        }
                        else if (indexed != file)
                        {
                            problems.Add($"{name} is in {file} but {IndexFile} places it in {indexed}");
                        }
                    }
                }
            }

            if (index is not null)
            {
                problems.AddRange(index.Where(entry => present.Contains(entry.Value) && origin.GetValueOrDefault(entry.Key) != entry.Value)
                    .Select(entry => $"{IndexFile} places {entry.Key} in {entry.Value}, which does not contain it"));
            }

            if (problems.Count > 0)
            {
                throw new ModelLoadException($"The weights in {folder} are inconsistent: {string.Join("; ", problems)}.");
            }

            return tensors;
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    private static Dictionary<string, Tensor> Read(string path)
    {
        try
        {
            return Safetensors.LoadStateDict(path);
        }
        catch (Exception error) when (error is not ModelLoadException)
        {
            throw new ModelLoadException($"Could not read {path}: {error.Message}", error);
        }
    }

    /// <summary>The index's <c>weight_map</c>: tensor name → shard file name.</summary>
    private static Dictionary<string, string> ReadIndex(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException error)
        {
            throw new ModelLoadException($"{path} is not valid JSON: {error.Message}", error);
        }

        if (root?["weight_map"] is not JsonObject map)
        {
            throw new ModelLoadException($"{path} has no weight_map object.");
        }

        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map)
        {
            var file = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
            if (file is null || file != Path.GetFileName(file) || !file.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                throw new ModelLoadException($"{path} maps {name} to {JsonFields.Show(value)}, which is not a *.safetensors file name in the folder.");
            }

            entries[name] = file;
        }

        return entries;
    }
}
