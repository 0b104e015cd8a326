using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Mint.Engine.Tokenization;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// Qwen3's real <c>tokenizer.json</c> (151k vocabulary) and the Rust tokenizers / transformers outputs on it
/// (<c>Fixtures/tokenizers/qwen3</c>; provenance in <c>Fixtures/README.md</c>). Loaded once per test run.
/// </summary>
internal static class Qwen3TokenizerFixture
{
    private static readonly Lazy<Tokenizer> Loaded = new(() => TokenizerFile.Load(Path.Combine(Folder, "tokenizer.json")));
    private static readonly Lazy<JsonNode> Reference = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json")))!);

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "qwen3");

    public static Tokenizer Tokenizer => Loaded.Value;

    /// <summary>Texts and the ids the Rust tokenizers library gives them.</summary>
    public static (string Text, int[] Ids)[] Encodings =>
        Reference.Value["encode"]!.AsArray().Select(item => ((string)item!["text"]!, Ids(item["ids"]!))).ToArray();

    /// <summary>Conversations, whether a generation prompt was added, and transformers' rendered text and ids.</summary>
    public static (Message[] Messages, bool GenerationPrompt, string Text, int[] Ids)[] Chats =>
        Reference.Value["chat"]!.AsArray().Select(item => (
            item!["messages"]!.AsArray().Select(message => new Message((string)message!["role"]!, (string)message["content"]!)).ToArray(),
            (bool)item["add_generation_prompt"]!,
            (string)item["text"]!,
            Ids(item["ids"]!))).ToArray();

    private static int[] Ids(JsonNode node) => node.AsArray().Select(id => (int)id!).ToArray();

    /// <summary>One chat message as the fixture stores it.</summary>
    public sealed record Message(string Role, string Content);
}
