using System;
using System.Linq;
using Mint.Engine.Tests.Support;
using Mint.Engine.Tokenization;
using Xunit;

namespace Mint.Engine.Tests.Tokenization;

/// <summary>Greedy BPE training: most frequent pair first, ordinal tie-breaks, early stop, real compression.</summary>
public sealed class TrainByteLevelBpeTests
{
    [Fact]
    public void Most_frequent_pair_merges_first_and_ties_go_to_the_ordinally_smallest()
    {
        // Pre-tokens: "ab", " ab" x2, " cd" x2. (a,b) occurs 3 times; then (Ġ,ab), (Ġ,c), (c,d) twice each:
        // 'c' < 'Ġ' ordinally, then (Ġ,ab) < (Ġ,cd). Nothing is left twice after that.
        var merges = TokenizerFile.TrainByteLevelBpe(["ab ab ab cd cd"], 10);

        Assert.Equal([("a", "b"), ("c", "d"), ("Ġ", "ab"), ("Ġ", "cd")], merges);
    }

    [Fact]
    public void Result_does_not_depend_on_corpus_order()
    {
        string[] corpus = ["the cat sat", "a dog ran", "the dog sat", "cats and dogs"];

        Assert.Equal(TokenizerFile.TrainByteLevelBpe(corpus, 30), TokenizerFile.TrainByteLevelBpe(corpus.Reverse(), 30));
    }

    [Fact]
    public void Merge_count_is_capped()
    {
        Assert.Equal(2, TokenizerFile.TrainByteLevelBpe(["ab ab ab cd cd"], 2).Count);
        Assert.Empty(TokenizerFile.TrainByteLevelBpe(["ab ab ab cd cd"], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenizerFile.TrainByteLevelBpe(["ab"], -1));
    }

    [Fact]
    public void Trained_tokenizer_encodes_its_corpus_as_training_segmented_it()
    {
        using var files = new TokenizerFiles();
        string[] corpus = ["low lower lowest", "new newer newest", "low new low new"];
        var merges = TokenizerFile.TrainByteLevelBpe(corpus, 20);
        var tokenizer = files.Load(merges);

        // Every occurring word was merged whole: "low" and " new" are single tokens.
        Assert.Single(tokenizer.EncodeToIds("low"));
        Assert.Single(tokenizer.EncodeToIds(" new"));
        Assert.True(tokenizer.EncodeToIds(string.Join(" ", corpus)).Count < string.Join(" ", corpus).Length / 3);
    }

    [Fact]
    public void Non_ascii_words_are_merged_from_their_utf8_bytes()
    {
        using var files = new TokenizerFiles();
        var tokenizer = files.Load(TokenizerFile.TrainByteLevelBpe(["世界 世界 世界"], 20));

        // "世界" is six UTF-8 bytes; seen three times, it becomes one token.
        Assert.Single(tokenizer.EncodeToIds("世界"));
        Assert.Equal("世界", tokenizer.Decode(tokenizer.EncodeToIds("世界")));
    }
}
