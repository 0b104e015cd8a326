using System.Collections.Generic;
using System.Linq;
using Mint.Client.Rendering;
using Mint.Dsl;

namespace Mint.Samples.Preference;

/// <summary>The sample's preference data: conversations with a preferred and a dispreferred assistant answer.</summary>
public static class PreferenceData
{
    /// <summary>Questions with the answer to prefer and the one to avoid.</summary>
    public static IReadOnlyList<(string Question, string Chosen, string Rejected)> Questions { get; } =
    [
        ("What color is the sky?", "Blue.", "Green."),
        ("What is 2+2?", "4.", "5."),
        ("Name a fruit.", "An apple.", "A rock."),
        ("Is water wet?", "Yes.", "No."),
        ("What do cats say?", "Meow.", "Moo."),
        ("Which is bigger, 3 or 7?", "7.", "3."),
        ("What is ice made of?", "Water.", "Glass."),
        ("Say hello.", "Hello!", "Go away."),
    ];

    /// <summary>The instruction every conversation starts with.</summary>
    public static ChatMessage System { get; } = ChatMessage.System("Answer briefly and correctly.");

    /// <summary>Every text the sample's tokenizer is trained on.</summary>
    public static IEnumerable<string> Corpus =>
        Questions.SelectMany(entry => new[] { entry.Question, entry.Chosen, entry.Rejected }).Append(System.Content).Append("system user assistant");

    /// <summary>The conversation's prompt for <paramref name="question"/>.</summary>
    public static ChatMessage[] Prompt(string question) => [System, ChatMessage.User(question)];

    /// <summary>Alternating (chosen, rejected) datums, rendered in the model's chat format with the prompt masked.</summary>
    public static List<Datum> Pairs(ChatRenderer renderer) =>
        Questions.SelectMany(entry =>
        {
            var (chosen, rejected) = renderer.PreferencePair(Prompt(entry.Question), ChatMessage.Assistant(entry.Chosen), ChatMessage.Assistant(entry.Rejected));
            return new[] { chosen, rejected };
        }).ToList();

    /// <summary>
    /// A datum that reads <paramref name="prompt"/> + <paramref name="completion"/> token ids and is trained to
    /// predict the completion: position <c>i</c> targets token <c>i + 1</c>, with weight 1 where that
    /// target is a completion token and 0 on the prompt. (Chat data goes through a <see cref="ChatRenderer"/> instead.)
    /// </summary>
    public static Datum Completion(int[] prompt, int[] completion)
    {
        var sequence = prompt.Concat(completion).ToArray();
        var inputs = sequence[..^1];
        var targets = sequence[1..].Select(token => (long)token);
        var weights = inputs.Select((_, position) => position >= prompt.Length - 1 ? 1f : 0f);
        return new Datum(
            ModelInput.FromInts(inputs),
            new Dictionary<string, TensorData>
            {
                ["target_tokens"] = TensorData.FromInt64s(targets),
                ["weights"] = TensorData.FromSingles(weights),
            });
    }
}
