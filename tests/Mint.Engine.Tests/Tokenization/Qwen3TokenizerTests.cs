using Mint.Engine.Tests.Support;
using Xunit;

namespace Mint.Engine.Tests.Tokenization;

/// <summary>Qwen3's real tokenizer.json encodes as the Rust tokenizers library does (its own output, in the fixture).</summary>
public sealed class Qwen3TokenizerTests
{
    [Fact]
    public void Every_reference_text_encodes_to_the_rust_libraries_ids()
    {
        Assert.All(Qwen3TokenizerFixture.Encodings, entry => Assert.Equal(entry.Ids, Qwen3TokenizerFixture.Tokenizer.EncodeToIds(entry.Text)));
    }

    [Fact]
    public void Rendered_conversations_encode_to_transformers_ids()
    {
        Assert.All(Qwen3TokenizerFixture.Chats, chat => Assert.Equal(chat.Ids, Qwen3TokenizerFixture.Tokenizer.EncodeToIds(chat.Text)));
    }
}
