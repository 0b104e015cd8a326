// Benchmarks: writes its numbers to docs/performance.md.
//   dotnet run -c Release --project tests/Mint.Dsl.Benchmarks -- all        every benchmark
//   ... -- generator | loss | overhead | efficiency | transport | sampling one of them
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
using Mint.Dsl.Benchmarks.Generator;
using Mint.Dsl.Benchmarks.Ledger;
using Mint.Dsl.Benchmarks.Loss;

var quick = args.Contains("--quick");
var ledger = args.SkipWhile(arg => arg != "--ledger").Skip(1).FirstOrDefault() ?? PerformanceLedger.DefaultPath;
var selected = args.Where(arg => !arg.StartsWith("--", StringComparison.Ordinal) && arg != ledger).DefaultIfEmpty("all").First();
var command = "dotnet run -c Release --project tests/Mint.Dsl.Benchmarks -- " + string.Join(' ', args);
var settings = new EngineBenchmarks.Settings(quick, ledger, command);
bool Runs(string name) => selected == name || selected == "all";

// In-process: the native-library fix applies to this build's output, not to a project BenchmarkDotNet generates.
var inProcess = ManualConfig.Create(DefaultConfig.Instance).AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
    .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15));

if (Runs("generator") && !quick)
{
    var generatorJob = Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(10).WithIterationCount(10).WithInvocationCount(4).WithUnrollFactor(1);
    GeneratorReport.Write(BenchmarkRunner.Run<GeneratorBenchmarks>(ManualConfig.Create(DefaultConfig.Instance).AddJob(generatorJob)), command, ledger);
}

if (Runs("loss") && !quick)
{
    LossComputeReport.Write(BenchmarkRunner.Run<LossComputeBenchmarks>(inProcess), command, ledger);
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
