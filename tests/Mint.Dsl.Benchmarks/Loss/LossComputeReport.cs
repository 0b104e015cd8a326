using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Reports;
using Mint.Dsl.Benchmarks.Ledger;

namespace Mint.Dsl.Benchmarks.Loss;

/// <summary>Turns the BenchmarkDotNet summary of <see cref="LossComputeBenchmarks"/> into a ledger section.</summary>
public static class LossComputeReport
{
    public static void Write(Summary summary, string command, string ledgerPath)
    {
        var table = new MarkdownTable("loss", "batch × length", "generated (ms)", "by hand (ms)", "generated / hand", "generated alloc", "hand alloc");
        var rows = summary.Reports
            .Where(report => report.ResultStatistics is not null)
            .GroupBy(report => (Loss: (string)report.BenchmarkCase.Parameters["Loss"], Shape: (string)report.BenchmarkCase.Parameters["Shape"]));
        var worst = 0.0;
        var ratios = new System.Collections.Generic.List<double>();
        foreach (var group in rows)
        {
            var generated = group.Single(report => report.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(LossComputeBenchmarks.Generated));
            var hand = group.Single(report => report.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(LossComputeBenchmarks.ByHand));
            var ratio = generated.ResultStatistics!.Median / hand.ResultStatistics!.Median;
            worst = System.Math.Max(worst, ratio);
            ratios.Add(ratio);
            table.Row(group.Key.Loss, group.Key.Shape,
                Milliseconds(generated), Milliseconds(hand), ratio.ToString("F2", CultureInfo.InvariantCulture) + "x",
                Bytes(generated), Bytes(hand));
        }

        PerformanceLedger.Write("loss-compute", "Client-side loss compute: generated vs hand-written", command,
            "Both paths start from the same datums and log-probs and end with the loss value and per-datum dL/dlogprobs on the CPU. "
            + "The generated path also validates the batch (every rule, including a NaN/Inf scan) and handles ragged "
            + "lengths and reads every metric; the hand path assumes equal lengths and reads only the loss. Times are BenchmarkDotNet medians; allocations are managed "
            + "bytes per operation (tensor memory is native and not counted).\n\n"
            + $"Median generated / hand ratio over all cases: **{ratios.Order().ElementAt(ratios.Count / 2).ToString("F2", CultureInfo.InvariantCulture)}x**; "
            + $"worst: {worst.ToString("F2", CultureInfo.InvariantCulture)}x (target: generated not slower, ≤ 1.00x).\n\n"
            + table,
            ledgerPath);
    }

    private static string Milliseconds(BenchmarkReport report) =>
        (report.ResultStatistics!.Median / 1e6).ToString("F3", CultureInfo.InvariantCulture);

    private static string Bytes(BenchmarkReport report)
    {
        var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):F1} MiB".Replace(',', '.') : $"{bytes / 1024.0:F1} KiB".Replace(',', '.');
    }
}
