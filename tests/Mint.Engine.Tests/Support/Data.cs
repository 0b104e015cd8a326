using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Engine.Tests.Support;

/// <summary>Datums for engine tests.</summary>
internal static class Data
{
    /// <summary>A next-token datum over <paramref name="sequence"/> with the given weights (1 everywhere by default).</summary>
    public static Datum Sft(int[] sequence, float[]? weights = null)
    {
        var inputs = sequence[..^1];
        return new Datum(ModelInput.FromInts(inputs), new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(sequence[1..].Select(token => (long)token)),
            ["weights"] = TensorData.FromSingles(weights ?? Enumerable.Repeat(1f, inputs.Length).ToArray()),
        });
    }

    /// <summary>An RL datum: prompt + completion, advantage on the completion, sampling log-probs given.</summary>
    public static Datum Rl(int[] prompt, IReadOnlyList<int> completion, IReadOnlyList<float> samplingLogprobs, float advantage)
    {
        var sequence = prompt.Concat(completion).ToArray();
        var inputs = sequence[..^1];
        var onCompletion = inputs.Select((_, position) => position >= prompt.Length - 1).ToArray();
        var logprobs = new float[inputs.Length];
        for (var index = 0; index < completion.Count; index++)
        {
            logprobs[prompt.Length - 1 + index] = samplingLogprobs[index];
        }

        return new Datum(ModelInput.FromInts(inputs), new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(sequence[1..].Select(token => (long)token)),
            ["logprobs"] = TensorData.FromSingles(logprobs),
            ["advantages"] = TensorData.FromSingles(onCompletion.Select(on => on ? advantage : 0f)),
        });
    }
}
