using System;
using System.IO;
using System.Linq;
using Mint.Client.Rendering;
using Mint.Engine.Tests.Support;
using Mint.Engine.Tokenization;
using Xunit;

namespace Mint.Client.Tests.Rendering;

/// <summary>
/// The Llama 3 renderer reproduces the Meta-Llama-3-Instruct chat template (written out below), over a small
/// byte-level tokenizer carrying Llama 3's special tokens (no Llama 3 tokenizer is reachable here).
/// </summary>
public sealed class Llama3ChatRendererTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly Llama3ChatRenderer renderer;

    public Llama3ChatRendererTests()
    {
        var path = directory.File("tokenizer.json");
        TokenizerFile.WriteByteLevelBpe(path, TokenizerFile.TrainByteLevelBpe(["Be brief. Hi Hello! system user assistant"], 40),
            ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]);
        renderer = new Llama3ChatRenderer(TokenizerFile.Load(path));
    }

    public void Dispose() => directory.Dispose();

    private static readonly ChatMessage[] Conversation = [ChatMessage.System("  Be brief. "), ChatMessage.User("Hi"), ChatMessage.Assistant(" Hello! ")];

    [Fact]
    public void Renders_headers_trimmed_contents_and_end_of_turn_tokens_after_one_begin_of_text()
    {
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>",
            renderer.Render(Conversation));
        Assert.EndsWith("Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", renderer.Render(Conversation[..2], addGenerationPrompt: true));
    }

    [Fact]
    public void An_sft_example_weights_the_assistants_content_and_end_of_turn()
    {
        var datum = renderer.SupervisedExample(Conversation);

        Assert.Equal(["Hello!<|eot_id|>"], WeightedTokens.Runs(renderer, datum));
        Assert.Equal(1f, datum.LossFnInputs["weights"].ToSingles()[^1]);
        Assert.Equal([renderer.Tokenizer.EncodeToIds("<|eot_id|>")[0]], renderer.StopTokens);
    }

    [Fact]
    public void A_tokenizer_without_the_end_of_turn_token_is_refused()
    {
        var path = directory.File("plain.json");
        TokenizerFile.WriteByteLevelBpe(path, [], []);

        var error = Assert.Throws<ChatRenderException>(() => new Llama3ChatRenderer(TokenizerFile.Load(path)));

        Assert.Equal("the tokenizer has no single token <|eot_id|>, which this chat format ends turns with.", error.Message);
    }
}
