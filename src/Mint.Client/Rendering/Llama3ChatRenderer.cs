using System.Collections.Generic;
using Microsoft.ML.Tokenizers;

namespace Mint.Client.Rendering;

/// <summary>
/// Llama 3's chat format, as the Meta-Llama-3-Instruct chat template renders it:
/// <c>&lt;|begin_of_text|&gt;</c>, then per message <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n{content, trimmed}&lt;|eot_id|&gt;</c>;
/// the generation prompt is the assistant header. (Llama 3.1+ templates also write a dated system preamble
/// and tool sections; this renderer does not.)
/// </summary>
public sealed class Llama3ChatRenderer(Tokenizer tokenizer) : ChatRenderer(tokenizer, ["<|eot_id|>"])
{
    /// <inheritdoc />
    protected override IReadOnlyList<RenderedSegment> Segments(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var segments = new List<RenderedSegment>();
        for (var index = 0; index < messages.Count; index++)
        {
            var message = messages[index];
            var header = $"{(index == 0 ? "<|begin_of_text|>" : "")}<|start_header_id|>{message.Role}<|end_header_id|>\n\n";
            var body = message.Content.Trim() + "<|eot_id|>";
            if (message.Role == "assistant")
            {
                segments.Add(new(header, index, false));
                segments.Add(new(body, index, true));
            }
            else
            {
                segments.Add(new(header + body, index, false));
            }
        }

        if (addGenerationPrompt)
        {
            segments.Add(new("<|start_header_id|>assistant<|end_header_id|>\n\n", -1, false));
        }

        return segments;
    }
}
