using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Mint.Engine.Tokenization;

namespace Mint.Engine.Tests.Support;

/// <summary>Writes tokenizer.json files into a temp directory, optionally edited, and loads them back.</summary>
internal sealed class TokenizerFiles : IDisposable
{
    private readonly TempDirectory directory = new();
    private int count;

    /// <summary>Writes a file with <see cref="TokenizerFile.WriteByteLevelBpe"/> and returns its path.</summary>
    public string Write(IReadOnlyList<(string Left, string Right)> merges, params string[] specialTokens)
    {
        var path = directory.File($"tokenizer{count++}.json");
        TokenizerFile.WriteByteLevelBpe(path, merges, specialTokens);
        return path;
    }

    /// <summary>Writes a file, then changes its JSON with <paramref name="edit"/>.</summary>
    public string Edited(IReadOnlyList<(string Left, string Right)> merges, Action<JsonObject> edit, params string[] specialTokens)
    {
        var path = Write(merges, specialTokens);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>A file with the given text.</summary>
    public string Raw(string text)
    {
        var path = directory.File($"tokenizer{count++}.json");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes and loads.</summary>
    public Tokenizer Load(IReadOnlyList<(string Left, string Right)> merges, params string[] specialTokens) =>
        TokenizerFile.Load(Write(merges, specialTokens));

    public void Dispose() => directory.Dispose();
}
