using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Tokenizers;
using Mint.Dsl;

namespace Mint.Client.Rendering;

/// <summary>
/// Turns conversations into model input the way a model's chat template does, and into training datums:
/// SFT examples with the prompt masked (weight 0) and (chosen, rejected) preference pairs that share their
/// prompt by construction. A subclass renders one chat format as <see cref="RenderedSegment"/>s; this class
/// tokenizes the whole rendered text at once (as transformers' <c>apply_chat_template</c> does) and maps the
/// completion segments onto tokens, refusing a split that does not fall on a token boundary.
/// </summary>
public abstract class ChatRenderer
{
    private static readonly string[] Roles = ["system", "user", "assistant"];

    /// <summary>Renders with <paramref name="tokenizer"/>, which must know <paramref name="stopTokens"/> as single tokens.</summary>
    protected ChatRenderer(Tokenizer tokenizer, IReadOnlyList<string> stopTokens)
    {
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        StopTokens = stopTokens.Select(SingleToken).ToArray();
    }

    /// <summary>The tokenizer the datums are encoded with.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The ids that end an assistant turn: pass them as <see cref="SamplingParams.StopTokens"/>.</summary>
    public IReadOnlyList<int> StopTokens { get; }

    /// <summary>The rendered text of <paramref name="messages"/>, exactly as the chat template renders it.</summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false) =>
        string.Concat(Segments(Checked(messages), addGenerationPrompt).Select(segment => segment.Text));

    /// <summary>The token ids of <see cref="Render"/>'s text.</summary>
    public IReadOnlyList<int> Encode(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false) =>
        Tokenizer.EncodeToIds(Render(messages, addGenerationPrompt));

    /// <summary>The prompt a sampler continues to produce the next assistant message.</summary>
    public ModelInput GenerationPrompt(IReadOnlyList<ChatMessage> messages) => ModelInput.FromInts(Encode(messages, addGenerationPrompt: true));

    /// <summary>The text of a sampled completion, up to (not including) its first stop token.</summary>
    public string DecodeCompletion(IEnumerable<int> tokens) => Tokenizer.Decode(tokens.TakeWhile(token => !StopTokens.Contains(token)));

    /// <summary>
    /// A next-token datum over the whole rendered conversation: <c>model_input</c> is every token but the
    /// last, <c>target_tokens</c> every token but the first, and <c>weights</c> is 1 where the target belongs
    /// to a trained assistant message (its content and end-of-turn token) and 0 elsewhere.
    /// </summary>
    /// <exception cref="ChatRenderException">An unknown role, no trained assistant message, or a token spanning a prompt/completion boundary.</exception>
    public Datum SupervisedExample(IReadOnlyList<ChatMessage> messages, TrainOn trainOn = TrainOn.LastAssistantMessage)
    {
        Checked(messages);
        var last = messages.Count - 1;
        if (trainOn == TrainOn.LastAssistantMessage && (last < 0 || messages[last].Role != "assistant"))
        {
            throw new ChatRenderException($"message {last} is {(last < 0 ? "missing" : $"a {messages[last].Role} message")}: training on the last assistant message needs the conversation to end with one.");
        }

        var segments = Segments(messages, addGenerationPrompt: false);
        bool Trained(RenderedSegment segment) =>
            segment.Completion && (trainOn == TrainOn.AllAssistantMessages || segment.MessageIndex == last);
        if (!segments.Any(Trained))
        {
            throw new ChatRenderException("the conversation has no assistant message to train on.");
        }

        var text = string.Concat(segments.Select(segment => segment.Text));
        var tokens = Tokenizer.EncodeToIds(text).ToArray();
        var trained = new bool[tokens.Length];
        var offset = 0;
        foreach (var segment in segments)
        {
            var start = TokenBoundary(text, offset, tokens);
            offset += segment.Text.Length;
            var end = TokenBoundary(text, offset, tokens);
            for (var index = start; index < end; index++)
            {
                trained[index] = Trained(segment);
            }
        }

        return new Datum(
            ModelInput.FromInts(tokens[..^1]),
            new Dictionary<string, TensorData>
            {
                ["target_tokens"] = TensorData.FromInt64s(tokens[1..].Select(token => (long)token)),
                ["weights"] = TensorData.FromSingles(trained[1..].Select(on => on ? 1f : 0f)),
            });
    }

    /// <summary>
    /// A (chosen, rejected) pair of SFT datums that continue the same <paramref name="prompt"/> with two
    /// assistant messages, trained on those messages only. Both render the prompt identically, so the pair
    /// satisfies the pair contract (identical model input up to and including the first weighted position).
    /// </summary>
    public (Datum Chosen, Datum Rejected) PreferencePair(IReadOnlyList<ChatMessage> prompt, ChatMessage chosen, ChatMessage rejected)
    {
        foreach (var (completion, name) in new[] { (chosen, nameof(chosen)), (rejected, nameof(rejected)) })
        {
            if (completion.Role != "assistant")
            {
                throw new ChatRenderException($"the {name} completion is a {completion.Role} message; a preference pair compares two assistant messages.");
            }
        }

        var pair = (SupervisedExample([.. prompt, chosen]), SupervisedExample([.. prompt, rejected]));
        if (!SharedPrompt(pair.Item1).SequenceEqual(SharedPrompt(pair.Item2)))
        {
            // Cannot happen for the formats here (the prompt renders before, and independently of, the completion);
            // checked so that a new format that broke it fails here rather than in the loss's validation.
            throw new ChatRenderException("the chosen and rejected conversations render the prompt differently.");
        }

        return pair;
    }

    /// <summary>The format: <paramref name="messages"/> (already checked) as segments.</summary>
    protected abstract IReadOnlyList<RenderedSegment> Segments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);

    private static IReadOnlyList<ChatMessage> Checked(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (var index = 0; index < messages.Count; index++)
        {
            if (messages[index] is null || !Roles.Contains(messages[index].Role, StringComparer.Ordinal) || messages[index].Content is null)
            {
                throw new ChatRenderException($"message {index} has role {(messages[index]?.Role is { } role ? $"\"{role}\"" : "null")}{(messages[index]?.Content is null ? " and no content" : "")}; supported roles: {string.Join(", ", Roles)}, each with content.");
            }
        }

        return messages;
    }

    /// <summary>
    /// How many of <paramref name="tokens"/> (the encoding of all of <paramref name="text"/>) encode its first
    /// <paramref name="length"/> characters. Throws when the text before that point does not encode to a prefix
    /// of the whole (a token would straddle the boundary, so no exact split exists).
    /// </summary>
    private int TokenBoundary(string text, int length, int[] tokens)
    {
        if (length == 0)
        {
            return 0;
        }

        var prefix = Tokenizer.EncodeToIds(text[..length]);
        if (prefix.Count > tokens.Length || !prefix.SequenceEqual(tokens.Take(prefix.Count)))
        {
            var context = text[Math.Max(0, length - 12)..Math.Min(text.Length, length + 12)];
            throw new ChatRenderException($"the rendered text has no token boundary at character {length} (around \"{context}\"), between prompt and completion; the completion cannot be weighted exactly.");
        }

        return prefix.Count;
    }

    private static int[] SharedPrompt(Datum datum)
    {
        var weights = datum.LossFnInputs["weights"].ToSingles();
        var first = Array.FindIndex(weights, weight => weight != 0);
        return datum.ModelInput.ToInts()[..(first + 1)];
    }

    private int SingleToken(string token)
    {
        var ids = Tokenizer.EncodeToIds(token);
        return ids.Count == 1 ? ids[0] : throw new ChatRenderException($"the tokenizer has no single token {token}, which this chat format ends turns with.");
    }
}
