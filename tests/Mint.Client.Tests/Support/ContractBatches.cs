using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Client.Tests.Support;

/// <summary>
/// Seeded random batches that satisfy a loss's contract exactly: each required input in its dtype (per-datum
/// inputs as one value, shape [] or [1]), nothing more;
/// lengths differ so padding is exercised; pairs share their prompt (weights are 0 on it).
/// </summary>
internal static class ContractBatches
{
    public static List<Datum> For(LossContract contract, int datums = 6, int seed = 1, int vocab = 48)
    {
        var random = new Random(seed);
        var paired = contract.Layout == BatchLayout.ChosenRejectedPairs;
        var batch = new List<Datum>();
        int[] prompt = [];
        for (var index = 0; index < datums; index++)
        {
            if (!paired || index % 2 == 0)
            {
                prompt = [1 + random.Next(vocab - 1), 1 + random.Next(vocab - 1)];
            }

            var completion = Enumerable.Range(0, 2 + random.Next(5)).Select(_ => 1 + random.Next(vocab - 1)).ToArray();
            var tokens = prompt.Concat(completion).ToArray();
            var length = tokens.Length - 1;
            var inputs = new Dictionary<string, TensorData>();
            foreach (var input in contract.Inputs)
            {
                if (input.Rank == InputRank.PerDatum)
                {
                    // One value per datum: a sequence-level quantity such as a summed reference log-prob.
                    inputs[input.Key] = TensorData.FromSingles([(float)(-1 - (5 * random.NextDouble()))], index % 2 == 0 ? [] : [1]);
                    continue;
                }

                var values = input.Key switch
                {
                    "target_tokens" => tokens[1..].Select(token => (double)token).ToArray(),
                    "weights" => Enumerable.Range(0, length).Select(position => position < prompt.Length - 1 ? 0 : 0.5 + random.NextDouble()).ToArray(),
                    "logprobs" or "reference_logprobs" => Enumerable.Range(0, length).Select(_ => -0.2 - (3 * random.NextDouble())).ToArray(),
                    _ => Enumerable.Range(0, length).Select(_ => (2 * random.NextDouble()) - 1).ToArray(),
                };
                inputs[input.Key] = input.DType switch
                {
                    TensorDType.Int64 => TensorData.FromInt64s(values.Select(value => (long)Math.Round(value))),
                    TensorDType.Float64 => TensorData.FromDoubles(values),
                    _ => TensorData.FromSingles(values.Select(value => (float)value)),
                };
            }

            batch.Add(new Datum(ModelInput.FromInts(tokens[..^1]), inputs));
        }

        return batch;
    }

    /// <summary>Plausible target log-probs for <paramref name="data"/>, one per model-input position.</summary>
    public static List<TensorData> Logprobs(IReadOnlyList<Datum> data, int seed = 2)
    {
        var random = new Random(seed);
        return data.Select(datum => TensorData.FromDoubles(Enumerable.Range(0, datum.ModelInput.Length).Select(_ => -0.1 - (3 * random.NextDouble())))).ToList();
    }
}
