using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// A model folder written by Hugging Face transformers 5.17 and the log-probs transformers computed on it
/// (<c>Fixtures/hf/*/reference.json</c>; provenance in <c>Fixtures/README.md</c>).
/// </summary>
internal sealed class TransformersFixture
{
    /// <summary>Every model folder under <c>Fixtures/hf</c>.</summary>
    public static readonly string[] Names = ["llama-theta5e5", "llama3-scaled-legacy", "qwen2-tied", "qwen2-tied-sharded", "qwen3-legacy", "qwen3-bf16"];

    private TransformersFixture(string name)
    {
        Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", name);
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")))!;
        Sequences = reference["sequences"]!.AsArray().Select(sequence => sequence!.AsArray().Select(token => (int)token!).ToArray()).ToArray();
        Logprobs = reference["logprobs_float64"]!.AsArray().Select(row => row!.AsArray().Select(value => (double)value!).ToArray()).ToArray();
    }

    /// <summary>The folder, as a user would have downloaded it.</summary>
    public string Folder { get; }

    /// <summary>The four token sequences (7, 41, 120 and 200 tokens).</summary>
    public int[][] Sequences { get; }

    /// <summary>transformers' float64 log p(tokens[i + 1] | tokens[..i]) for each sequence.</summary>
    public double[][] Logprobs { get; }

    public static TransformersFixture Open(string name) => new(name);

    /// <summary>A copy of the folder in a fresh temp directory, for tests that edit it.</summary>
    public string CopyTo(TempDirectory directory)
    {
        foreach (var file in Directory.GetFiles(Folder))
        {
            File.Copy(file, directory.File(Path.GetFileName(file)));
        }

        return directory.Path;
    }
}
