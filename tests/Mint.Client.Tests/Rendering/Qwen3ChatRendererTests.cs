using System.Collections.Generic;
using System.Linq;
using Mint.Client.Rendering;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Mint.Samples.Preference;
using Xunit;

namespace Mint.Client.Tests.Rendering;

/// <summary>
/// The Qwen3 renderer against transformers' <c>apply_chat_template</c> on Qwen3's real tokenizer and chat
/// template (rendered text and ids in the fixture), and the datums built from it.
/// </summary>
public sealed class Qwen3ChatRendererTests
{
    private static readonly Qwen3ChatRenderer Renderer = new(Qwen3TokenizerFixture.Tokenizer);

    private const int ImStart = 151644, ImEnd = 151645, Think = 151667, EndThink = 151668, Newline = 198, DoubleNewline = 271;

    private static ChatMessage[] Messages(Qwen3TokenizerFixture.Message[] messages) =>
        messages.Select(message => new ChatMessage(message.Role, message.Content)).ToArray();

    [Fact]
    public void Conversations_render_to_transformers_text_and_ids()
    {
        Assert.All(Qwen3TokenizerFixture.Chats, chat =>
        {
            Assert.Equal(chat.Text, Renderer.Render(Messages(chat.Messages), chat.GenerationPrompt));
            Assert.Equal(chat.Ids, Renderer.Encode(Messages(chat.Messages), chat.GenerationPrompt));
        });
    }

    [Fact]
    public void The_generation_prompt_is_transformers_prompt_with_the_assistant_header()
    {
        var chat = Qwen3TokenizerFixture.Chats.Single(chat => chat.GenerationPrompt);

        Assert.Equal(chat.Ids, Renderer.GenerationPrompt(Messages(chat.Messages)).ToInts());
    }

    [Fact]
    public void An_sft_example_weights_exactly_the_assistants_output_including_its_end_of_turn()
    {
        var chat = Qwen3TokenizerFixture.Chats.First(chat => !chat.GenerationPrompt);

        var datum = Renderer.SupervisedExample(Messages(chat.Messages));

        // Tokens: <|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n | <think>\n\n</think>\n\n4<|im_end|> | \n
        Assert.Equal(chat.Ids[..^1], datum.ModelInput.ToInts());
        Assert.Equal(chat.Ids[1..].Select(id => (long)id), datum.LossFnInputs["target_tokens"].ToInt64s());
        var weighted = datum.LossFnInputs["target_tokens"].ToInt64s().Zip(datum.LossFnInputs["weights"].ToSingles())
            .Where(pair => pair.Second == 1).Select(pair => (int)pair.First).ToArray();
        Assert.Equal([Think, DoubleNewline, EndThink, DoubleNewline, 19, ImEnd], weighted);
        Assert.Equal(0f, datum.LossFnInputs["weights"].ToSingles()[^1]);
    }

    [Fact]
    public void Training_on_every_assistant_message_weights_each_and_only_the_last_gets_the_think_block()
    {
        ChatMessage[] conversation =
        [
            ChatMessage.System("You are terse."), ChatMessage.User("Name a color."), ChatMessage.Assistant("Blue."),
            ChatMessage.User("Another?"), ChatMessage.Assistant("Red."),
        ];

        var all = Renderer.SupervisedExample(conversation, TrainOn.AllAssistantMessages);
        var last = Renderer.SupervisedExample(conversation);

        Assert.Equal(
            "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nName a color.<|im_end|>\n<|im_start|>assistant\nBlue.<|im_end|>\n"
            + "<|im_start|>user\nAnother?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nRed.<|im_end|>\n",
            Renderer.Render(conversation));
        Assert.Equal(["Blue.<|im_end|>", "<think>\n\n</think>\n\nRed.<|im_end|>"], WeightedTokens.Runs(Renderer, all));
        Assert.Equal(["<think>\n\n</think>\n\nRed.<|im_end|>"], WeightedTokens.Runs(Renderer, last));
    }

    [Fact]
    public void Inline_reasoning_moves_into_the_think_block_as_the_template_does()
    {
        ChatMessage[] conversation = [ChatMessage.User("2+2?"), ChatMessage.Assistant("<think>\nadd them\n</think>\n\n4")];

        Assert.Equal("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nadd them\n</think>\n\n4<|im_end|>\n", Renderer.Render(conversation));
    }

    [Fact]
    public void A_preference_pair_satisfies_the_pair_contract_by_construction()
    {
        ChatMessage[] prompt = [ChatMessage.System("Answer in one word."), ChatMessage.User("Is the sky blue?")];

        var (chosen, rejected) = Renderer.PreferencePair(prompt, ChatMessage.Assistant("Yes."), ChatMessage.Assistant("Perhaps, it depends on the weather."));

        PreferenceLosses.PairwisePreferenceLoss.Validate(new List<Datum> { chosen, rejected });
        Assert.Equal(["<think>\n\n</think>\n\nYes.<|im_end|>"], WeightedTokens.Runs(Renderer, chosen));
        Assert.Equal(["<think>\n\n</think>\n\nPerhaps, it depends on the weather.<|im_end|>"], WeightedTokens.Runs(Renderer, rejected));
    }

    [Fact]
    public void A_sampled_completion_decodes_up_to_its_end_of_turn()
    {
        var tokens = Renderer.Tokenizer.EncodeToIds("Blue.<|im_end|>\n<|im_start|>").ToArray();

        Assert.Equal([ImEnd], Renderer.StopTokens);
        Assert.Equal("Blue.", Renderer.DecodeCompletion(tokens));
        Assert.Equal(ImStart, tokens[^1]);
        Assert.Equal(Newline, tokens[^2]);
    }

    [Fact]
    public void A_conversation_that_cannot_be_trained_as_asked_is_refused_with_the_reason()
    {
        Assert.Equal(
            "message 0 is a user message: training on the last assistant message needs the conversation to end with one.",
            Assert.Throws<ChatRenderException>(() => Renderer.SupervisedExample([ChatMessage.User("hi")])).Message);
        Assert.Equal(
            "message 1 has role \"tool\"; supported roles: system, user, assistant, each with content.",
            Assert.Throws<ChatRenderException>(() => Renderer.Render([ChatMessage.User("hi"), new ChatMessage("tool", "42")])).Message);
    }

    [Fact]
    public void A_completion_whose_first_token_would_merge_with_the_prompt_is_refused()
    {
        // An earlier assistant message is rendered without a think block, so its leading newline meets the
        // header's "\n" and the two encode as one token ("\n\n"): no exact prompt/completion split exists.
        ChatMessage[] conversation = [ChatMessage.User("a"), ChatMessage.Assistant("\nb"), ChatMessage.User("c"), ChatMessage.Assistant("d")];

        var error = Assert.Throws<ChatRenderException>(() => Renderer.SupervisedExample(conversation, TrainOn.AllAssistantMessages));

        Assert.Equal("the rendered text has no token boundary at character 51 (around \"|>assistant\n\nb<|im_end|>\"), between prompt and completion; the completion cannot be weighted exactly.", error.Message);
    }
}
