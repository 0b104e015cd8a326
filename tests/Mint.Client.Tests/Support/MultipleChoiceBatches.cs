using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Client.Tests.Support;

/// <summary>
/// Multiple-choice questions for the multi-target tests: a prompt of random tokens whose last
/// position answers with one of four letters. <c>target_tokens [T, 4]</c> holds the letters at every
/// position, <c>answer [T, 4]</c> is one-hot on the correct letter, <c>weights [T]</c> is 1 at the answer.
/// </summary>
internal static class MultipleChoiceBatches
{
    public static readonly long[] Letters = [10, 11, 12, 13];

    /// <summary><paramref name="count"/> questions; the correct letter follows the prompt's first token, so it can be learned.</summary>
    public static List<Datum> Questions(int count, int seed = 1, int vocab = 48)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(index =>
        {
            var prompt = Enumerable.Range(0, 3 + random.Next(4)).Select(_ => 14 + random.Next(vocab - 14)).ToArray();
            return Question(prompt, correct: prompt[0] % Letters.Length);
        }).ToList();
    }

    public static Datum Question(int[] prompt, int correct)
    {
        var length = prompt.Length;
        return new Datum(ModelInput.FromInts(prompt), new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(Enumerable.Range(0, length).SelectMany(_ => Letters), [length, Letters.Length]),
            ["answer"] = TensorData.FromSingles(Enumerable.Range(0, length).SelectMany(_ => Letters.Select((_, letter) => letter == correct ? 1f : 0f)), [length, Letters.Length]),
            ["weights"] = TensorData.FromSingles(Enumerable.Range(0, length).Select(position => position == length - 1 ? 1f : 0f)),
        });
    }

    /// <summary>The correct letter's index of a question.</summary>
    public static int Correct(Datum question) =>
        Array.IndexOf(question.LossFnInputs["answer"].ToSingles()[^Letters.Length..], 1f);
}
