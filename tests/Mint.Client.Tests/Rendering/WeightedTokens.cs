using System.Collections.Generic;
using Mint.Client.Rendering;
using Mint.Dsl;

namespace Mint.Client.Tests.Rendering;

/// <summary>What a datum trains on, decoded: each run of consecutive weight-1 target tokens.</summary>
internal static class WeightedTokens
{
    public static List<string> Runs(ChatRenderer renderer, Datum datum)
    {
        var targets = datum.LossFnInputs["target_tokens"].ToInt64s();
        var weights = datum.LossFnInputs["weights"].ToSingles();
        var runs = new List<string>();
        var run = new List<int>();
        for (var index = 0; index <= targets.Length; index++)
        {
            if (index < targets.Length && weights[index] == 1)
            {
                run.Add((int)targets[index]);
            }
            else if (run.Count > 0)
            {
                runs.Add(renderer.Tokenizer.Decode(run));
                run.Clear();
            }
        }

        return runs;
    }
}
