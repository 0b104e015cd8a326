using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Samples.Preference;

/// <summary>Builds preference datums: a prompt followed by a completion, with the loss on the completion only.</summary>
public static class PreferenceData
{
    /// <summary>
    /// A datum that reads <paramref name="prompt"/> + <paramref name="completion"/> and is trained to
    /// predict the completion: position <c>i</c> targets token <c>i + 1</c>, with weight 1 where that
    /// target is a completion token and 0 on the prompt.
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

    /// <summary>
    /// Alternating (chosen, rejected) datums over shared random prompts: chosen completions use even
    /// token ids, rejected ones odd ids, so a model can learn the preference.
    /// </summary>
    public static List<Datum> SyntheticPairs(int pairs, int seed)
    {
        var random = new System.Random(seed);
        var batch = new List<Datum>();
        for (var pair = 0; pair < pairs; pair++)
        {
            var prompt = Enumerable.Range(0, 4).Select(_ => random.Next(1, 64)).ToArray();
            var length = 2 + random.Next(3);
            batch.Add(Completion(prompt, Enumerable.Range(0, length).Select(_ => 2 * random.Next(1, 32)).ToArray()));
            batch.Add(Completion(prompt, Enumerable.Range(0, length).Select(_ => (2 * random.Next(0, 32)) + 1).ToArray()));
        }

        return batch;
    }
}
