using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Mint.Engine.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> for byte-level BPE (GPT-2, Llama 3, Qwen2 style): loads one as a
/// <see cref="Tokenizer"/>, and writes or trains small ones for tests and samples.
/// </summary>
public static class TokenizerFile
{
    /// <summary>
    /// Loads <paramref name="path"/>: <c>model.vocab</c>, <c>model.merges</c> (as <c>"a b"</c> strings or
    /// <c>["a", "b"]</c> arrays), <c>added_tokens</c> (matched verbatim, as Hugging Face does), the pre-tokenizer's
    /// split pattern and an NFC normalizer. The post-processor is not applied: callers add BOS/EOS themselves.
    /// </summary>
    /// <remarks>
    /// Llama 3's <c>model.ignore_merges</c> has no counterpart in Microsoft.ML.Tokenizers, so a word that is itself
    /// in the vocabulary is still built by merges and may, rarely, split differently than in Hugging Face.
    /// </remarks>
    /// <exception cref="TokenizerLoadException">The file is unreadable, not JSON, or not byte-level BPE.</exception>
    public static Tokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ByteLevelBpeDefinition definition;
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            definition = new TokenizerJsonReader(path).Read(document.RootElement);
        }
        catch (JsonException error)
        {
            throw new TokenizerLoadException(
                $"{path} is not valid JSON (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}).", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerLoadException($"{path} cannot be read: {error.Message}", error);
        }

        var addedTokens = definition.AddedTokens.Count == 0 ? null : definition.AddedTokens;
        var options = new BpeOptions(definition.Vocabulary)
        {
            Merges = definition.Merges.Select(merge => $"{merge.Left} {merge.Right}"),
            ByteLevel = true,
            SpecialTokens = addedTokens,
            // Both needed: with no pre-tokenizer the library splits on whitespace and drops it, and it only keeps
            // special tokens whole when the pre-tokenizer knows them.
            PreTokenizer = new RegexPreTokenizer(definition.Pattern, addedTokens),
            Normalizer = definition.NormalizeNfc ? NfcNormalizer.Instance : null,
        };
        try
        {
            return BpeTokenizer.Create(options);
        }
        catch (Exception error) when (error is InvalidOperationException or ArgumentException)
        {
            throw new TokenizerLoadException($"{path}: {error.Message}", error);
        }
    }

    /// <summary>
    /// Writes a minimal byte-level BPE <c>tokenizer.json</c>: the 256 byte symbols (ids 0–255, GPT-2 order), one
    /// token per merge (ids from 256, in order), then <paramref name="specialTokens"/> as special added tokens.
    /// </summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="merges">Merges in rank order, in byte-symbol spelling (a space is <c>Ġ</c>); each part is a byte
    /// symbol or an earlier merge's result, and each result is new.</param>
    /// <param name="specialTokens">Tokens such as <c>&lt;|endoftext|&gt;</c>, matched whole in text.</param>
    /// <exception cref="ArgumentException">A merge or special token breaks the rules above.</exception>
    public static void WriteByteLevelBpe(
        string path, IReadOnlyList<(string Left, string Right)> merges, IReadOnlyList<string> specialTokens) =>
        TokenizerJsonWriter.Write(path, merges, specialTokens);

    /// <summary>
    /// Learns up to <paramref name="merges"/> byte-level BPE merges from <paramref name="corpus"/> by greedily merging
    /// the most frequent pair (ties: ordinal order), for <see cref="WriteByteLevelBpe"/>. Stops early once no pair
    /// occurs twice. Meant for the small corpora of tests and samples.
    /// </summary>
    public static IReadOnlyList<(string Left, string Right)> TrainByteLevelBpe(IEnumerable<string> corpus, int merges) =>
        ByteLevelBpeTrainer.Train(corpus, merges);
}
