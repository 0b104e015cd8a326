using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mint.Engine.Tokenization;

/// <summary>
/// Turns a parsed Hugging Face <c>tokenizer.json</c> into a <see cref="ByteLevelBpeDefinition"/>, or throws
/// <see cref="TokenizerLoadException"/> naming the file, the field and the problem.
/// </summary>
internal sealed class TokenizerJsonReader(string path)
{
    /// <summary>Reads the definition from the document's root.</summary>
    public ByteLevelBpeDefinition Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail("the top level is not a JSON object");
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
        {
            throw Fail("'model' is missing or not an object");
        }

        // The type comes first: a WordPiece file fails on it rather than on some BPE field it lacks.
        var type = model.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()
            : throw Fail("'model.type' is missing");
        if (type != "BPE")
        {
            throw Fail($"'model.type' is '{type}'; only byte-level BPE tokenizers (GPT-2, Llama 3, Qwen2 style) are supported");
        }

        CheckNotSentencePieceStyle(model);
        var vocabulary = ReadVocabulary(model);
        var merges = ReadMerges(model, vocabulary);
        var addedTokens = ReadAddedTokens(root);
        var normalizeNfc = ReadNormalizer(root);
        var pattern = ReadPreTokenizer(root);
        return new ByteLevelBpeDefinition(vocabulary, merges, addedTokens, pattern, normalizeNfc);
    }

    private void CheckNotSentencePieceStyle(JsonElement model)
    {
        if (model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True)
        {
            throw Fail("'model.byte_fallback' is true, which marks a SentencePiece-style BPE; only byte-level BPE is supported");
        }

        foreach (var name in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (model.TryGetProperty(name, out var affix) && affix.ValueKind == JsonValueKind.String && affix.GetString() != "")
            {
                throw Fail($"'model.{name}' is set; byte-level BPE does not use it");
            }
        }
    }

    private Dictionary<string, int> ReadVocabulary(JsonElement model)
    {
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw Fail("'model.vocab' is missing or not an object");
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw Fail($"'model.vocab' maps '{entry.Name}' to {entry.Value.GetRawText()}, which is not a token id");
            }

            vocabulary[entry.Name] = id;
        }

        // The tokenizer drops bytes it has no symbol for without a word, so a gap would lose text.
        for (var value = 0; value < 256; value++)
        {
            var symbol = ByteLevelAlphabet.Symbol((byte)value).ToString();
            if (ByteLevelAlphabet.OccursInUtf8((byte)value) && !vocabulary.ContainsKey(symbol))
            {
                throw Fail($"'model.vocab' lacks the byte-level symbol '{symbol}' (byte 0x{value:X2}), so text with that byte would be lost");
            }
        }

        return vocabulary;
    }

    private List<(string Left, string Right)> ReadMerges(JsonElement model, Dictionary<string, int> vocabulary)
    {
        if (!model.TryGetProperty("merges", out var mergesElement) || mergesElement.ValueKind != JsonValueKind.Array)
        {
            throw Fail("'model.merges' is missing or not an array");
        }

        var merges = new List<(string Left, string Right)>(mergesElement.GetArrayLength());
        var index = 0;
        foreach (var element in mergesElement.EnumerateArray())
        {
            var (left, right) = ReadMerge(element, index);
            foreach (var token in new[] { left, right, left + right })
            {
                if (!vocabulary.ContainsKey(token))
                {
                    throw Fail($"'model.merges[{index}]' ('{left}', '{right}') needs '{token}', which is not in 'model.vocab'");
                }
            }

            merges.Add((left, right));
            index++;
        }

        return merges;
    }

    /// <summary>One merge, written either as <c>"left right"</c> (older files) or <c>["left", "right"]</c>.</summary>
    private (string Left, string Right) ReadMerge(JsonElement element, int index)
    {
        string[]? parts = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!.Split(' '),
            JsonValueKind.Array when element.GetArrayLength() == 2
                && element[0].ValueKind == JsonValueKind.String && element[1].ValueKind == JsonValueKind.String
                => [element[0].GetString()!, element[1].GetString()!],
            _ => null,
        };
        if (parts is not [{ Length: > 0 } left, { Length: > 0 } right])
        {
            throw Fail($"'model.merges[{index}]' is not \"left right\" or [\"left\", \"right\"]");
        }

        // Byte-level tokens spell space as 'Ġ'; a real space would also break the tokenizer's "left right" form.
        if (left.Contains(' ') || right.Contains(' '))
        {
            throw Fail($"'model.merges[{index}]' has a space inside a token, which byte-level BPE never produces");
        }

        return (left, right);
    }

    private Dictionary<string, int> ReadAddedTokens(JsonElement root)
    {
        var addedTokens = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null)
        {
            return addedTokens;
        }

        if (added.ValueKind != JsonValueKind.Array)
        {
            throw Fail("'added_tokens' is not an array");
        }

        var index = 0;
        foreach (var token in added.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.Object
                || !token.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String
                || content.GetString() is not { Length: > 0 } text
                || !token.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number
                || !idElement.TryGetInt32(out var id) || id < 0)
            {
                throw Fail($"'added_tokens[{index}]' needs a non-empty 'content' and a non-negative integer 'id'");
            }

            addedTokens[text] = id;
            index++;
        }

        return addedTokens;
    }

    private bool ReadNormalizer(JsonElement root)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        var type = TypeOf(normalizer);
        return type == "NFC" ? true : throw Fail($"'normalizer' of type '{type}' is not supported (only none or NFC)");
    }

    /// <summary>
    /// The split pattern: GPT-2's when the ByteLevel step splits itself (<c>use_regex</c>), otherwise the one
    /// <c>Split</c> step's (Llama 3 and Qwen2 put theirs before a ByteLevel step that does not split).
    /// </summary>
    private Regex ReadPreTokenizer(JsonElement root)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var preTokenizer) || preTokenizer.ValueKind != JsonValueKind.Object)
        {
            throw Fail("'pre_tokenizer' is missing; only byte-level BPE is supported");
        }

        var steps = new List<JsonElement>();
        if (TypeOf(preTokenizer) == "Sequence")
        {
            if (!preTokenizer.TryGetProperty("pretokenizers", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw Fail("'pre_tokenizer.pretokenizers' is missing or not an array");
            }

            steps.AddRange(list.EnumerateArray());
        }
        else
        {
            steps.Add(preTokenizer);
        }

        var patterns = new List<string>();
        var byteLevel = false;
        foreach (var step in steps)
        {
            switch (TypeOf(step))
            {
                case "ByteLevel":
                    byteLevel = true;
                    if (IsTrue(step, "add_prefix_space"))
                    {
                        throw Fail("'pre_tokenizer' ByteLevel has add_prefix_space true, which is not supported");
                    }

                    // use_regex defaults to true in Hugging Face tokenizers.
                    if (!step.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False)
                    {
                        patterns.Add(ByteLevelAlphabet.Gpt2Pattern);
                    }

                    break;
                case "Split":
                    patterns.Add(ReadSplit(step));
                    break;
                case var other:
                    throw Fail($"'pre_tokenizer' step '{other ?? "(no type)"}' is not supported (only Split and ByteLevel)");
            }
        }

        if (!byteLevel)
        {
            throw Fail("'pre_tokenizer' has no ByteLevel step; only byte-level BPE is supported");
        }

        if (patterns.Count != 1)
        {
            throw Fail($"'pre_tokenizer' splits with {patterns.Count} patterns; exactly one is supported");
        }

        // Hugging Face keeps the text between matches as pieces of its own ("Isolated"); the library's regex
        // pre-tokenizer drops it, so a second alternative claims each run of unmatched text.
        var pattern = patterns[0];
        try
        {
            return new Regex($"(?:{pattern})|(?:(?!(?:{pattern}))[\\s\\S])+", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException error)
        {
            throw Fail($"'pre_tokenizer' pattern is not a valid .NET regex: {error.Message}", error);
        }
    }

    private string ReadSplit(JsonElement step)
    {
        if (step.TryGetProperty("behavior", out var behavior)
            && (behavior.ValueKind != JsonValueKind.String || behavior.GetString() != "Isolated"))
        {
            throw Fail($"'pre_tokenizer' Split behavior {behavior.GetRawText()} is not supported (only \"Isolated\")");
        }

        if (IsTrue(step, "invert"))
        {
            throw Fail("'pre_tokenizer' Split has invert true, which is not supported");
        }

        if (step.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object)
        {
            if (pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
            {
                return regex.GetString()!;
            }

            if (pattern.TryGetProperty("String", out var literal) && literal.ValueKind == JsonValueKind.String)
            {
                return Regex.Escape(literal.GetString()!);
            }
        }

        throw Fail("'pre_tokenizer' Split needs a pattern {\"Regex\": ...} or {\"String\": ...}");
    }

    private static string? TypeOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;

    private static bool IsTrue(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private TokenizerLoadException Fail(string problem, Exception? inner = null) => new($"{path}: {problem}.", inner);
}
