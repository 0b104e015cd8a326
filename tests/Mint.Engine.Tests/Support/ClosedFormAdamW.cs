using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// Adam with decoupled weight decay written out element by element in float64, as the formulas in
/// PyTorch's <c>torch.optim.AdamW</c> documentation state them: the test's own reference for the
/// engine's optimizer, sharing no code with it.
/// </summary>
internal sealed class ClosedFormAdamW
{
    private readonly Dictionary<string, double[]> first = [];
    private readonly Dictionary<string, double[]> second = [];
    private int step;

    /// <summary>The weights after one step from <paramref name="weights"/> with <paramref name="gradients"/>.</summary>
    public Dictionary<string, double[]> Step(
        IReadOnlyDictionary<string, double[]> weights,
        IReadOnlyDictionary<string, double[]> gradients,
        AdamParams hyper)
    {
        step++;
        var updated = new Dictionary<string, double[]>();
        foreach (var (name, theta) in weights)
        {
            var g = gradients[name];
            var m = first.TryGetValue(name, out var m0) ? m0 : first[name] = new double[theta.Length];
            var v = second.TryGetValue(name, out var v0) ? v0 : second[name] = new double[theta.Length];
            var next = new double[theta.Length];
            for (var i = 0; i < theta.Length; i++)
            {
                // θ ← θ − γλθ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
                // m̂ = m / (1−β1^t);  v̂ = v / (1−β2^t);  θ ← θ − γ·m̂ / (√v̂ + ε)
                var decayed = theta[i] - (hyper.LearningRate * hyper.WeightDecay * theta[i]);
                m[i] = (hyper.Beta1 * m[i]) + ((1 - hyper.Beta1) * g[i]);
                v[i] = (hyper.Beta2 * v[i]) + ((1 - hyper.Beta2) * g[i] * g[i]);
                var mHat = m[i] / (1 - Math.Pow(hyper.Beta1, step));
                var vHat = v[i] / (1 - Math.Pow(hyper.Beta2, step));
                next[i] = decayed - (hyper.LearningRate * mHat / (Math.Sqrt(vHat) + hyper.Eps));
            }

            updated[name] = next;
        }

        return updated;
    }

    /// <summary>The L2 norm of every gradient together.</summary>
    public static double Norm(IReadOnlyDictionary<string, double[]> gradients) =>
        Math.Sqrt(gradients.Values.Sum(values => values.Sum(value => value * value)));
}
