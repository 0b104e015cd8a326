using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Tokenizers;

namespace Mint.Client.Rendering;

/// <summary>
/// Qwen3's chat format, as the chat template in Qwen3's <c>tokenizer_config.json</c> renders system, user and
/// assistant messages (no tools): <c>&lt;|im_start|&gt;role\n…&lt;|im_end|&gt;\n</c>. An assistant message after the last
/// user message that is the last message (or carries reasoning) gets a think block,
/// <c>&lt;think&gt;\n{reasoning}\n&lt;/think&gt;\n\n</c>, empty when there is no reasoning; reasoning written inline as
/// <c>&lt;think&gt;…&lt;/think&gt;</c> is moved into it, and earlier assistant messages lose theirs, as the template does.
/// The generation prompt is <c>&lt;|im_start|&gt;assistant\n</c>; the model then writes its think block itself.
/// </summary>
public sealed class Qwen3ChatRenderer(Tokenizer tokenizer) : ChatRenderer(tokenizer, ["<|im_end|>"])
{
    /// <inheritdoc />
    protected override IReadOnlyList<RenderedSegment> Segments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var segments = new List<RenderedSegment>();
        var lastQuery = LastUserQuery(messages);
        for (var index = 0; index < messages.Count; index++)
        {
            var message = messages[index];
            if (message.Role != "assistant")
            {
                segments.Add(new($"<|im_start|>{message.Role}\n{message.Content}<|im_end|>\n", index, false));
                continue;
            }

            var (reasoning, content) = SplitReasoning(message.Content);
            var withThinking = index > lastQuery && (index == messages.Count - 1 || reasoning.Length > 0);
            segments.Add(new("<|im_start|>assistant\n", index, false));
            segments.Add(new(
                (withThinking ? $"<think>\n{reasoning.Trim('\n')}\n</think>\n\n{content.TrimStart('\n')}" : content) + "<|im_end|>",
                index,
                true));
            segments.Add(new("\n", index, false));
        }

        if (addGenerationPrompt)
        {
            segments.Add(new("<|im_start|>assistant\n", -1, false));
        }

        return segments;
    }

    /// <summary>The template's <c>last_query_index</c>: the last user message that is not a tool response.</summary>
    private static int LastUserQuery(IReadOnlyList<ChatMessage> messages)
    {
        for (var index = messages.Count - 1; index >= 0; index--)
        {
            var content = messages[index].Content;
            if (messages[index].Role == "user" && !(content.StartsWith("<tool_response>", StringComparison.Ordinal) && content.EndsWith("</tool_response>", StringComparison.Ordinal)))
            {
                return index;
            }
        }

        return messages.Count - 1;
    }

    /// <summary>The template's split of inline reasoning: text after the last <c>&lt;/think&gt;</c> is the content.</summary>
    private static (string Reasoning, string Content) SplitReasoning(string content)
    {
        const string open = "<think>", close = "</think>";
        if (!content.Contains(close, StringComparison.Ordinal))
        {
            return ("", content);
        }

        var parts = content.Split(close);
        var reasoning = parts[0].TrimEnd('\n').Split(open)[^1].TrimStart('\n');
        return (reasoning, parts[^1].TrimStart('\n'));
    }
}
