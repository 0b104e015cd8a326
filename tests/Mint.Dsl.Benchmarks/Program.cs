// Benchmarks: writes its numbers to docs/performance.md.
//   dotnet run -c Release --project tests/Mint.Dsl.Benchmarks -- all        every benchmark
//   ... -- loss | overhead | efficiency | transport | sampling             one of them
//   ... -- <name> --quick                                                  tiny sizes (smoke run)
using System;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Mint.Dsl.Benchmarks.Engine;
using Mint.Dsl.Benchmarks.Ledger;
using Mint.Dsl.Benchmarks.Loss;

var quick = args.Contains("--quick");
var ledger = args.SkipWhile(arg => arg != "--ledger").Skip(1).FirstOrDefault() ?? PerformanceLedger.DefaultPath;
var selected = args.Where(arg => !arg.StartsWith("--", StringComparison.Ordinal) && arg != ledger).DefaultIfEmpty("all").First();
var command = "dotnet run -c Release --project tests/Mint.Dsl.Benchmarks -- " + string.Join(' ', args);
var settings = new EngineBenchmarks.Settings(quick, ledger, command);
bool Runs(string name) => selected == name || selected == "all";

if (Runs("loss") && !quick)
{
    // In-process: the native-library fix applies to this build's output, not to a generated project.
    var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(7);
    var summary = BenchmarkRunner.Run<LossComputeBenchmarks>(ManualConfig.Create(DefaultConfig.Instance).AddJob(job));
    LossComputeReport.Write(summary, command, ledger);
}

if (Runs("overhead"))
{
    await EngineBenchmarks.CustomLossOverheadAsync(settings, [Transports.Embedded(), Transports.Grpc()]);
}

if (Runs("efficiency"))
{
    EngineBenchmarks.Efficiency(settings);
}

if (Runs("transport"))
{
    await TransportBenchmarks.RunAsync(settings);
}

if (Runs("sampling"))
{
    EngineBenchmarks.Sampling(settings);
}

Console.WriteLine($"Wrote {ledger}");
