using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace Mint.Dsl.Benchmarks.Engine;

/// <summary>Median wall time of repeated runs after warm-up.</summary>
public static class Stopwatches
{
    /// <summary>Median seconds of <paramref name="repeats"/> runs of <paramref name="action"/> after <paramref name="warmup"/> unmeasured ones.</summary>
    public static async Task<double> MedianSecondsAsync(Func<Task> action, int warmup, int repeats)
    {
        for (var run = 0; run < warmup; run++)
        {
            await action();
        }

        var times = new double[repeats];
        for (var run = 0; run < repeats; run++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times[run] = watch.Elapsed.TotalSeconds;
        }

        return Median(times);
    }

    /// <summary>Fastest of <paramref name="repeats"/> runs after <paramref name="warmup"/>: the right statistic for a peak.</summary>
    public static double FastestSeconds(Action action, int warmup, int repeats)
    {
        for (var run = 0; run < warmup; run++)
        {
            action();
        }

        var fastest = double.MaxValue;
        for (var run = 0; run < repeats; run++)
        {
            var watch = Stopwatch.StartNew();
            action();
            fastest = Math.Min(fastest, watch.Elapsed.TotalSeconds);
        }

        return fastest;
    }

    /// <summary>Median seconds of a synchronous action.</summary>
    public static double MedianSeconds(Action action, int warmup, int repeats) =>
        MedianSecondsAsync(() => { action(); return Task.CompletedTask; }, warmup, repeats).GetAwaiter().GetResult();

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
