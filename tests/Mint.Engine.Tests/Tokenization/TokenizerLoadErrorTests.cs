using System;
using System.IO;
using System.Text.Json.Nodes;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Engine.Tokenization;
using Xunit;

namespace Mint.Engine.Tests.Tokenization;

/// <summary>Files the loader refuses, each with the exact message the user reads.</summary>
public sealed class TokenizerLoadErrorTests
{
    private static readonly (string Left, string Right)[] Merges = [("a", "b")];

    private static TokenizerLoadException Reject(string path) => Assert.Throws<TokenizerLoadException>(() => TokenizerFile.Load(path));

    [Theory]
    [InlineData("WordPiece")]
    [InlineData("Unigram")]
    public void Unsupported_model_type_is_named(string type)
    {
        using var files = new TokenizerFiles();
        var path = files.Raw($$"""{"model": {"type": "{{type}}", "vocab": {"[UNK]": 0} } }""");

        var error = Reject(path);

        Assert.Equal($"{path}: 'model.type' is '{type}'; only byte-level BPE tokenizers (GPT-2, Llama 3, Qwen2 style) are supported.", error.Message);
        Assert.IsAssignableFrom<MintException>(error);
    }

    [Fact]
    public void Malformed_json_names_the_position()
    {
        using var files = new TokenizerFiles();
        var path = files.Raw("{\n  \"model\": {\"type\": \"BPE\",}\n}");

        // Byte 27 of line 2 is the '}' after the trailing comma.
        Assert.Equal($"{path} is not valid JSON (line 2, byte 27).", Reject(path).Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        using var files = new TokenizerFiles();
        var path = Path.Combine(Path.GetDirectoryName(files.Raw("{}"))!, "absent.json");

        Assert.StartsWith($"{path} cannot be read: ", Reject(path).Message);
    }

    [Fact]
    public void Sentencepiece_style_bpe_without_byte_level_is_rejected()
    {
        using var files = new TokenizerFiles();
        var path = files.Edited(Merges, root => root["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁" });

        Assert.Equal($"{path}: 'pre_tokenizer' step 'Metaspace' is not supported (only Split and ByteLevel).", Reject(path).Message);
    }

    [Fact]
    public void Byte_fallback_is_rejected()
    {
        using var files = new TokenizerFiles();
        var path = files.Edited(Merges, root => root["model"]!["byte_fallback"] = true);

        Assert.Equal($"{path}: 'model.byte_fallback' is true, which marks a SentencePiece-style BPE; only byte-level BPE is supported.", Reject(path).Message);
    }

    [Fact]
    public void Merge_of_a_token_outside_the_vocabulary_is_named()
    {
        using var files = new TokenizerFiles();
        var path = files.Edited(Merges, root => root["model"]!["merges"]!.AsArray().Add(new JsonArray("ab", "zq")));

        Assert.Equal($"{path}: 'model.merges[1]' ('ab', 'zq') needs 'zq', which is not in 'model.vocab'.", Reject(path).Message);
    }

    [Theory]
    [InlineData("\"a b c\"")]
    [InlineData("[\"a\"]")]
    [InlineData("7")]
    public void Merge_that_is_not_a_pair_is_named(string merge)
    {
        using var files = new TokenizerFiles();
        var path = files.Edited(Merges, root => root["model"]!["merges"]!.AsArray().Add(JsonNode.Parse(merge)));

        Assert.Equal($"{path}: 'model.merges[1]' is not \"left right\" or [\"left\", \"right\"].", Reject(path).Message);
    }

    [Fact]
    public void Vocabulary_without_a_byte_symbol_is_rejected()
    {
        using var files = new TokenizerFiles();
        var path = files.Edited(Merges, root => root["model"]!["vocab"]!.AsObject().Remove("Ġ"));

        Assert.Equal($"{path}: 'model.vocab' lacks the byte-level symbol 'Ġ' (byte 0x20), so text with that byte would be lost.", Reject(path).Message);
    }

    [Fact]
    public void Non_integer_token_id_is_named()
    {
        using var files = new TokenizerFiles();
        var path = files.Edited(Merges, root => root["model"]!["vocab"]!["ab"] = "256");

        Assert.Equal($"{path}: 'model.vocab' maps 'ab' to \"256\", which is not a token id.", Reject(path).Message);
    }

    [Fact]
    public void Unsupported_normalizer_is_named()
    {
        using var files = new TokenizerFiles();
        var path = files.Edited(Merges, root => root["normalizer"] = new JsonObject { ["type"] = "Lowercase" });

        Assert.Equal($"{path}: 'normalizer' of type 'Lowercase' is not supported (only none or NFC).", Reject(path).Message);
    }

    [Fact]
    public void Writer_rejects_merges_that_use_unknown_tokens_or_repeat_a_result()
    {
        using var files = new TokenizerFiles();

        var unknown = Assert.Throws<ArgumentException>(() => files.Write([("a", "b"), ("abc", "d")]));
        var repeated = Assert.Throws<ArgumentException>(() => files.Write([("a", "b"), ("b", "c"), ("ab", "c"), ("a", "bc")]));
        var special = Assert.Throws<ArgumentException>(() => files.Write(Merges, "ab"));

        Assert.StartsWith("merges[1] ('abc', 'd') uses a token that is neither a byte-level symbol nor made by an earlier merge.", unknown.Message);
        Assert.StartsWith("merges[3] makes 'abc', which a byte symbol or an earlier merge already makes.", repeated.Message);
        Assert.StartsWith("Special token 'ab' is empty, repeated, or already a vocabulary token.", special.Message);
    }
}
