using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Mint.Dsl.Tests.Support;

/// <summary>Compares a loss's dL/dlogprobs with central finite differences in float64.</summary>
internal static class GradientCheck
{
    private static readonly LossComputeOptions Float64 = new() { Precision = LossPrecision.Float64 };

    /// <summary>The loss value and gradient in float64.</summary>
    public static LossGradient Compute(LossDefinition loss, IReadOnlyList<Datum> data, IReadOnlyList<TensorData> logprobs) =>
        loss.ComputeGradient(data, logprobs, Float64);

    /// <summary>
    /// Asserts the analytic gradient of <paramref name="loss"/> matches central differences of
    /// <paramref name="value"/> (by default the loss's own value) with relative error below 1e-6.
    /// </summary>
    public static void MatchesFiniteDifferences(
        LossDefinition loss,
        IReadOnlyList<Datum> data,
        IReadOnlyList<TensorData> logprobs,
        Func<IReadOnlyList<TensorData>, double>? value = null)
    {
        value ??= perturbed => Compute(loss, data, perturbed).Loss;
        var analytic = Compute(loss, data, logprobs).LogprobGradients.SelectMany(row => row.ToDoubles()).ToArray();
        var numeric = new List<double>();
        const double step = 1e-5;
        for (var row = 0; row < logprobs.Count; row++)
        {
            for (var position = 0; position < logprobs[row].Count; position++)
            {
                var plus = value(Perturb(logprobs, row, position, step));
                var minus = value(Perturb(logprobs, row, position, -step));
                numeric.Add((plus - minus) / (2 * step));
            }
        }

        var difference = Math.Sqrt(analytic.Zip(numeric, (a, n) => (a - n) * (a - n)).Sum());
        var scale = Math.Sqrt(numeric.Sum(n => n * n));
        Assert.True(scale > 1e-3, $"The finite-difference gradient is ~0 ({scale}); the check would prove nothing.");
        Assert.True(difference / scale < 1e-6, $"Relative gradient error {difference / scale:E2}.\nanalytic: {string.Join(", ", analytic)}\nnumeric:  {string.Join(", ", numeric)}");
    }

    private static List<TensorData> Perturb(IReadOnlyList<TensorData> logprobs, int row, int position, double step) =>
        logprobs.Select((tensor, index) =>
        {
            var values = tensor.ToDoubles();
            if (index == row)
            {
                values[position] += step;
            }

            return TensorData.FromDoubles(values, [.. tensor.Shape]);
        }).ToList();
}
