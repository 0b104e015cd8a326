using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Mint.Engine.Tokenization;

/// <summary>
/// Greedy byte-level BPE training for small corpora: split text like GPT-2, then repeatedly merge the most
/// frequent adjacent pair. Small and deterministic rather than fast.
/// </summary>
internal static class ByteLevelBpeTrainer
{
    private static readonly Regex Gpt2 = new(ByteLevelAlphabet.Gpt2Pattern, RegexOptions.CultureInvariant);

    /// <summary>
    /// Up to <paramref name="merges"/> merges in rank order. Ties go to the ordinally smallest (left, right), so the
    /// result does not depend on corpus order; training stops early once no pair occurs twice.
    /// </summary>
    public static IReadOnlyList<(string Left, string Right)> Train(IEnumerable<string> corpus, int merges)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfNegative(merges);

        // Each distinct pre-token once, as byte symbols, with how often it occurs.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in corpus)
        {
            foreach (Match piece in Gpt2.Matches(text))
            {
                var symbols = ByteLevelAlphabet.Encode(piece.Value);
                counts[symbols] = counts.GetValueOrDefault(symbols) + 1;
            }
        }

        var words = counts.Select(entry => (Tokens: entry.Key.Select(symbol => symbol.ToString()).ToList(), Count: entry.Value)).ToList();
        var known = new HashSet<string>(ByteLevelAlphabet.Symbols, StringComparer.Ordinal);
        var result = new List<(string Left, string Right)>();
        while (result.Count < merges && Best(words, known) is { } best)
        {
            result.Add(best);
            known.Add(best.Left + best.Right);
            foreach (var (tokens, _) in words)
            {
                Merge(tokens, best.Left, best.Right);
            }
        }

        return result;
    }

    /// <summary>The most frequent pair seen at least twice whose merge is a new token; null when there is none.</summary>
    private static (string Left, string Right)? Best(List<(List<string> Tokens, int Count)> words, HashSet<string> known)
    {
        var pairs = new Dictionary<(string, string), int>();
        foreach (var (tokens, count) in words)
        {
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                var pair = (tokens[i], tokens[i + 1]);
                pairs[pair] = pairs.GetValueOrDefault(pair) + count;
            }
        }

        (string Left, string Right)? best = null;
        var bestCount = 1;
        foreach (var ((left, right), count) in pairs)
        {
            // A pair whose merge already exists would give one token two merges; the writer allows one.
            if (known.Contains(left + right))
            {
                continue;
            }

            if (count > bestCount || (count == bestCount && best is { } current && Compare((left, right), current) < 0))
            {
                best = (left, right);
                bestCount = count;
            }
        }

        return best;
    }

    private static int Compare((string Left, string Right) a, (string Left, string Right) b)
    {
        var left = string.CompareOrdinal(a.Left, b.Left);
        return left != 0 ? left : string.CompareOrdinal(a.Right, b.Right);
    }

    /// <summary>Replaces each non-overlapping (left, right), scanning left to right, by one token.</summary>
    private static void Merge(List<string> tokens, string left, string right)
    {
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i] == left && tokens[i + 1] == right)
            {
                tokens[i] = left + right;
                tokens.RemoveAt(i + 1);
            }
        }
    }
}
