using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Reports;
using Mint.Dsl.Benchmarks.Ledger;

namespace Mint.Dsl.Benchmarks.Generator;

/// <summary>Turns the BenchmarkDotNet summary of <see cref="GeneratorBenchmarks"/> into a ledger section.</summary>
public static class GeneratorReport
{
    public static void Write(Summary summary, string command, string ledgerPath)
    {
        var table = new MarkdownTable("case (200 losses)", "mean (ms)", "stddev (ms)", "allocated");
        foreach (var report in summary.Reports.Where(report => report.ResultStatistics is not null))
        {
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            table.Row(
                report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                (report.ResultStatistics!.Mean / 1e6).ToString("F1", CultureInfo.InvariantCulture),
                (report.ResultStatistics.StandardDeviation / 1e6).ToString("F1", CultureInfo.InvariantCulture),
                (bytes / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " MB");
        }

        PerformanceLedger.Write("generator", "Generator", command,
            "`GeneratorBenchmarks`: the loss generator on a compilation of 200 `[Loss]` methods in 20 files (per-datum, "
            + "paired and configured signatures) plus one file of ordinary code. Every run starts from a fresh clone of the "
            + "compilation, so it pays for binding the signatures as a build does; the incremental rows start from a driver "
            + "that has already run, as the IDE's does. For scale, the last two rows compile the same corpus (binding every "
            + "loss body) without and with all Mint analyzers, so the analyzers' own cost is their difference. "
            + "`IncrementalCachingTests` prove that only an edited loss is re-parsed and nothing unchanged is re-emitted.\n\n"
            + table,
            ledgerPath);
    }
}
