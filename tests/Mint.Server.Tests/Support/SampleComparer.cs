using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Server.Tests.Support;

/// <summary>Samples are equal when every sequence has the same tokens, log-probs and stop reason.</summary>
internal sealed class SampleComparer : IEqualityComparer<SampleResult>
{
    public static SampleComparer Instance { get; } = new();

    public bool Equals(SampleResult? x, SampleResult? y) =>
        x is not null && y is not null && x.Sequences.Count == y.Sequences.Count
        && x.Sequences.Zip(y.Sequences).All(pair =>
            pair.First.Tokens.SequenceEqual(pair.Second.Tokens)
            && pair.First.Logprobs.SequenceEqual(pair.Second.Logprobs)
            && pair.First.StopReason == pair.Second.StopReason);

    public int GetHashCode(SampleResult obj) => obj.Sequences.Count;
}
