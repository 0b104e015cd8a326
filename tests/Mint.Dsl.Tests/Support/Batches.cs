using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl.Tests.Support;

/// <summary>Builds datums and log-probs for tests.</summary>
internal static class Batches
{
    /// <summary>A datum over <paramref name="length"/> tokens with the given float inputs (and matching target tokens).</summary>
    public static Datum Datum(int length, params (string Key, double[] Values)[] floats)
    {
        var inputs = new Dictionary<string, TensorData>
        {
            ["target_tokens"] = TensorData.FromInt64s(Enumerable.Range(1, length).Select(token => (long)token)),
        };
        foreach (var (key, values) in floats)
        {
            inputs[key] = TensorData.FromSingles(values.Select(value => (float)value));
        }

        return new Datum(ModelInput.FromInts(Enumerable.Range(0, length)), inputs);
    }

    /// <summary>A datum with explicit tokens and inputs.</summary>
    public static Datum Datum(int[] tokens, Dictionary<string, TensorData> inputs) =>
        new(ModelInput.FromInts(tokens), inputs);

    /// <summary>Float64 log-probs, one row per datum.</summary>
    public static List<TensorData> Logprobs(params double[][] rows) =>
        rows.Select(row => TensorData.FromDoubles(row)).ToList();

    /// <summary>Float inputs as they are stored (float32), widened back, so references see what the loss sees.</summary>
    public static double[] Stored(double[] values) => values.Select(value => (double)(float)value).ToArray();
}
