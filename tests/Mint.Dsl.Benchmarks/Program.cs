// Runs the benchmarks named on the command line (BenchmarkDotNet's switcher: --filter, --job, …).
// Numbers go to docs/performance.md by hand, with the machine, the date and the command.
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
