using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Model;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// A session's adapters in the form <see cref="ReferenceDecoder"/> reads: layer adapters multiplied
/// out into the weights by hand in float64 (<c>W' = W + (alpha / rank)·B·A</c>), and the head's adapter
/// kept factored.
/// </summary>
internal static class LoraMerge
{
    /// <summary>
    /// <paramref name="tensors"/> in float64 with every layer adapter of <paramref name="adapters"/>
    /// merged into its projection's weight.
    /// </summary>
    public static Dictionary<string, double[]> Layers(IReadOnlyDictionary<string, Tensor> tensors, LoraAdapters adapters)
    {
        var merged = tensors.ToDictionary(entry => entry.Key, entry => entry.Value.to(ScalarType.Float64).data<double>().ToArray());
        foreach (var projection in merged.Keys.Where(name => name.StartsWith("model.layers.", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal)).ToList())
        {
            if (adapters.Find(projection[..^".weight".Length]) is not { } adapter)
            {
                continue;
            }

            var a = Doubles(adapter.A);
            var b = Doubles(adapter.B);
            int rows = (int)adapter.B.shape[0], columns = (int)adapter.A.shape[1], rank = (int)adapter.A.shape[0];
            var w = merged[projection];
            for (var row = 0; row < rows; row++)
            {
                for (var column = 0; column < columns; column++)
                {
                    for (var r = 0; r < rank; r++)
                    {
                        w[(row * columns) + column] += adapter.Scaling * b[(row * rank) + r] * a[(r * columns) + column];
                    }
                }
            }
        }

        return merged;
    }

    /// <summary>The head's adapter of <paramref name="adapters"/> in float64, or null when the unembedding is not adapted.</summary>
    public static ReferenceHeadAdapter? Head(LoraAdapters adapters) => adapters.Find(LoraConfig.UnembedModule) is { } head
        ? new ReferenceHeadAdapter(Doubles(head.A), Doubles(head.B), (int)head.A.shape[0], head.Scaling)
        : null;

    private static double[] Doubles(Tensor tensor) => tensor.detach().to(ScalarType.Float64).data<double>().ToArray();
}
