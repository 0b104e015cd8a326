using System.Linq;
using System.Text;
using Mint.Engine.Tests.Support;
using Mint.Engine.Tokenization;
using Xunit;

namespace Mint.Engine.Tests.Tokenization;

/// <summary>The byte symbols and their ids match GPT-2's vocabulary and the library's byte-level mapping.</summary>
public sealed class ByteLevelAlphabetTests
{
    [Fact]
    public void Symbols_are_256_distinct_characters_in_gpt2_id_order()
    {
        var symbols = ByteLevelAlphabet.Symbols;

        Assert.Equal(256, symbols.Distinct().Count());
        // Ids from GPT-2's vocab.json: printable bytes first, then the shifted ones from byte 0.
        Assert.Equal("!", symbols[0]);
        Assert.Equal("A", symbols[32]);
        Assert.Equal("~", symbols[93]);
        Assert.Equal("¡", symbols[94]);
        Assert.Equal("ÿ", symbols[187]);
        Assert.Equal("Ā", symbols[188]);
        Assert.Equal("Ċ", symbols[198]);
        Assert.Equal("Ġ", symbols[220]);
        Assert.Equal("Ń", symbols[255]);
    }

    [Fact]
    public void Each_byte_of_utf8_text_encodes_to_its_gpt2_id()
    {
        using var files = new TokenizerFiles();
        var tokenizer = files.Load([]);
        var text = new string(Enumerable.Range(0, 256).Select(code => (char)code).ToArray()) + "世界🙂\U0010FFFF";
        var symbolIds = ByteLevelAlphabet.Symbols.Select((symbol, id) => (symbol, id)).ToDictionary(entry => entry.symbol[0], entry => entry.id);

        var expected = Encoding.UTF8.GetBytes(text).Select(value => symbolIds[ByteLevelAlphabet.Symbol(value)]);

        Assert.Equal(expected, tokenizer.EncodeToIds(text));
        Assert.Equal([127, 102], tokenizer.EncodeToIds("é"));
        Assert.Equal([220, 198], tokenizer.EncodeToIds(" \n"));
    }
}
