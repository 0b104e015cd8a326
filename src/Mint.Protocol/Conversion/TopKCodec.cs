using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Protocol.Conversion;

/// <summary>Top-k log-prob lists on the wire: two dense <c>[positions, k]</c> tensors (token ids, log-probs).</summary>
public static class TopKCodec
{
    /// <summary>The wire form of <paramref name="positions"/>, each a list of the same length k.</summary>
    public static V1.TopKLogprobs ToWire(IReadOnlyList<IReadOnlyList<TokenLogprob>> positions)
    {
        var k = positions.Count == 0 ? 0 : positions[0].Count;
        return new V1.TopKLogprobs
        {
            Tokens = TensorCodec.ToWire(TensorData.FromInt64s(positions.SelectMany(top => top.Select(entry => (long)entry.Token)), [positions.Count, k])),
            Logprobs = TensorCodec.ToWire(TensorData.FromSingles(positions.SelectMany(top => top.Select(entry => entry.Logprob)), [positions.Count, k])),
        };
    }

    /// <summary>Top-k lists read from the wire.</summary>
    public static IReadOnlyList<IReadOnlyList<TokenLogprob>> FromWire(V1.TopKLogprobs wire)
    {
        var tokens = TensorCodec.FromWire(wire.Tokens);
        var logprobs = TensorCodec.FromWire(wire.Logprobs);
        if (tokens.Shape.Count != 2 || !tokens.Shape.SequenceEqual(logprobs.Shape))
        {
            throw new InvalidOperationException($"The server sent top-k log-probs of shapes {tokens} and {logprobs}.");
        }

        var ids = tokens.ToInt64s();
        var values = logprobs.ToSingles();
        var k = (int)tokens.Shape[1];
        return Enumerable.Range(0, (int)tokens.Shape[0])
            .Select(row => (IReadOnlyList<TokenLogprob>)Enumerable.Range(row * k, k).Select(index => new TokenLogprob((int)ids[index], values[index])).ToArray())
            .ToList();
    }
}
