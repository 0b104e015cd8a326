using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mint.Engine.Tokenization;

/// <summary>Writes a minimal GPT-2-style byte-level BPE <c>tokenizer.json</c> in Hugging Face's format.</summary>
internal static class TokenizerJsonWriter
{
    /// <summary>Checks the merges and special tokens, then writes the file.</summary>
    public static void Write(string path, IReadOnlyList<(string Left, string Right)> merges, IReadOnlyList<string> specialTokens)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(merges);
        ArgumentNullException.ThrowIfNull(specialTokens);
        var tokens = Tokens(merges, specialTokens);
        var firstSpecialId = tokens.Count - specialTokens.Count;
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            // Byte-level symbols such as 'Ġ' stay readable instead of becoming \u0120.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        for (var i = 0; i < specialTokens.Count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", firstSpecialId + i);
            json.WriteString("content", specialTokens[i]);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNull("normalizer");
        WriteByteLevel("pre_tokenizer", json);
        json.WriteNull("post_processor");
        WriteByteLevel("decoder", json);
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", false);
        json.WriteStartObject("vocab");
        for (var id = 0; id < firstSpecialId; id++)
        {
            json.WriteNumber(tokens[id], id);
        }

        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach (var (left, right) in merges)
        {
            json.WriteStartArray();
            json.WriteStringValue(left);
            json.WriteStringValue(right);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Every token in id order: the byte symbols (0–255), one per merge (each built from earlier tokens), then the
    /// special tokens.
    /// </summary>
    private static List<string> Tokens(IReadOnlyList<(string Left, string Right)> merges, IReadOnlyList<string> specialTokens)
    {
        var tokens = new List<string>(ByteLevelAlphabet.Symbols);
        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        for (var i = 0; i < merges.Count; i++)
        {
            var (left, right) = merges[i];
            if (left is null || right is null || !known.Contains(left) || !known.Contains(right))
            {
                throw new ArgumentException(
                    $"merges[{i}] ('{left}', '{right}') uses a token that is neither a byte-level symbol nor made by an earlier merge.",
                    nameof(merges));
            }

            if (!known.Add(left + right))
            {
                throw new ArgumentException($"merges[{i}] makes '{left + right}', which a byte symbol or an earlier merge already makes.", nameof(merges));
            }

            tokens.Add(left + right);
        }

        foreach (var token in specialTokens)
        {
            if (string.IsNullOrEmpty(token) || !known.Add(token))
            {
                throw new ArgumentException($"Special token '{token}' is empty, repeated, or already a vocabulary token.", nameof(specialTokens));
            }

            tokens.Add(token);
        }

        return tokens;
    }

    private static void WriteByteLevel(string name, Utf8JsonWriter json)
    {
        json.WriteStartObject(name);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }
}
