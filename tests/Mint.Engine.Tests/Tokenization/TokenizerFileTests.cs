using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Mint.Engine.Tests.Support;
using Mint.Engine.Tokenization;
using Xunit;

namespace Mint.Engine.Tests.Tokenization;

/// <summary>Written tokenizer.json files load back into tokenizers that encode as the file says.</summary>
public sealed class TokenizerFileTests
{
    private static readonly string[] Corpus =
    [
        "the cat sat on the mat",
        "the dog sat on the log",
        "héllo wörld, héllo 世界 世界 🙂🙂",
    ];

    private static readonly (string Left, string Right)[] Hell = [("h", "e"), ("l", "l"), ("he", "ll")];

    [Theory]
    [InlineData("hello world")]
    [InlineData("héllo 世界 🙂")]
    [InlineData("  two spaces, a\ttab and\r\nlines\n\n")]
    [InlineData("don't 1234567 x=y+z; <|end|")]
    [InlineData("\0\u0001\u007f\u00ad\u00ff")]
    [InlineData("")]
    public void Round_trip_is_lossless(string text)
    {
        using var files = new TokenizerFiles();
        var tokenizer = files.Load(TokenizerFile.TrainByteLevelBpe(Corpus, 40), "<|endoftext|>");

        Assert.Equal(text, tokenizer.Decode(tokenizer.EncodeToIds(text)));
    }

    [Fact]
    public void Merges_get_ids_from_256_in_order_and_shorten_text()
    {
        using var files = new TokenizerFiles();
        var merged = files.Load(Hell);
        var plain = files.Load([]);

        // 'hell' is the third merge, so id 258; 'o' is byte 0x6F, GPT-2 id 78.
        Assert.Equal([258, 78], merged.EncodeToIds("hello"));
        Assert.Equal(5, plain.EncodeToIds("hello").Count);
        Assert.Equal([256, 257, 258], new[] { "he", "ll", "hell" }.Select(token => ((BpeTokenizer)merged).Vocabulary[token]));
    }

    [Fact]
    public void Merges_apply_by_rank_not_by_position()
    {
        using var files = new TokenizerFiles();

        Assert.Equal([256, 66], files.Load([("a", "b"), ("b", "c")]).EncodeToIds("abc"));
        Assert.Equal([64, 256], files.Load([("b", "c"), ("a", "b")]).EncodeToIds("abc"));
    }

    [Fact]
    public void Merges_do_not_cross_pre_token_boundaries()
    {
        using var files = new TokenizerFiles();
        var tokenizer = files.Load([("o", "Ġ"), ("Ġ", "w")]);

        // "hello world" splits as "hello" | " world": 'oĠ' never forms, 'Ġw' does.
        Assert.Equal(["h", "e", "l", "l", "o", "Ġw", "o", "r", "l", "d"], tokenizer.EncodeToTokens("hello world", out _).Select(token => token.Value));
    }

    [Fact]
    public void Special_tokens_encode_to_their_ids_and_decode_back()
    {
        using var files = new TokenizerFiles();
        var tokenizer = files.Load(Hell, "<|endoftext|>", "<|im_start|>");
        const string text = "<|im_start|>hi<|endoftext|>";

        // After 256 bytes and 3 merges.
        Assert.Equal([260, 71, 72, 259], tokenizer.EncodeToIds(text));
        Assert.Equal(text, tokenizer.Decode([260, 71, 72, 259]));
    }

    [Fact]
    public void Token_ids_stay_below_the_vocabulary_size()
    {
        using var files = new TokenizerFiles();
        var merges = TokenizerFile.TrainByteLevelBpe(Corpus, 40);
        var tokenizer = files.Load(merges, "<|endoftext|>");
        var size = 256 + merges.Count + 1;
        var text = string.Join(" ", Corpus) + "<|endoftext|>" + new string(Enumerable.Range(0, 0x800).Select(code => (char)code).ToArray());

        var ids = tokenizer.EncodeToIds(text);

        Assert.Contains(size - 1, ids);
        Assert.All(ids, id => Assert.InRange(id, 0, size - 1));
    }

    [Fact]
    public void String_and_array_merges_load_the_same_tokenizer()
    {
        using var files = new TokenizerFiles();
        var merges = TokenizerFile.TrainByteLevelBpe(Corpus, 40);
        var arrays = files.Write(merges);
        var strings = files.Edited(merges, root =>
            root["model"]!["merges"] = new JsonArray(merges.Select(merge => (JsonNode)JsonValue.Create($"{merge.Left} {merge.Right}")).ToArray()));
        var text = string.Join("\n", Corpus);

        var fromArrays = TokenizerFile.Load(arrays).EncodeToIds(text);
        var fromStrings = TokenizerFile.Load(strings).EncodeToIds(text);

        Assert.Equal(fromArrays, fromStrings);
        Assert.True(fromArrays.Count < Encoding.UTF8.GetByteCount(text), "the merges were not applied");
    }

    [Fact]
    public void Llama3_style_split_sequence_and_nfc_normalizer_are_honoured()
    {
        using var files = new TokenizerFiles();
        (string, string)[] merges = [("1", "2"), ("3", "4")];
        var llama3 = files.Edited(merges, root =>
        {
            root["normalizer"] = new JsonObject { ["type"] = "NFC" };
            root["pre_tokenizer"] = JsonNode.Parse("""
                {"type": "Sequence", "pretokenizers": [
                  {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": false},
                  {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
                """);
            root["added_tokens"]![0]!["id"] = 1000;
        }, "<|begin_of_text|>");
        var tokenizer = TokenizerFile.Load(llama3);
        var gpt2 = files.Load(merges);

        // Digits split in threes ("123" | "45"), so '34' cannot form; GPT-2's split keeps "12345" whole.
        Assert.Equal([256, 18, 19, 20], tokenizer.EncodeToIds("12345"));
        Assert.Equal([256, 257, 20], gpt2.EncodeToIds("12345"));
        // Text between matches is kept, the added token has the file's id, and "e\u0301" is NFC-composed to 'é'.
        Assert.Equal("<|begin_of_text|>ab 12, c", tokenizer.Decode(tokenizer.EncodeToIds("<|begin_of_text|>ab 12, c")));
        Assert.Equal(1000, tokenizer.EncodeToIds("<|begin_of_text|>")[0]);
        Assert.Equal([127, 102], tokenizer.EncodeToIds("e\u0301"));
    }
}
