using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mint.Dsl.Benchmarks.Engine;
using Mint.Dsl.Benchmarks.Loss;
using Xunit;

namespace Mint.Client.Tests.Benchmarks;

/// <summary>
/// The benchmarks still run (once, at a tiny size, into a scratch ledger) and compare like with like.
/// Nothing here asserts a timing.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    [Theory]
    [MemberData(nameof(Losses))]
    public void Generated_and_hand_written_paths_compute_the_same_gradient(string loss)
    {
        var workload = LossWorkload.Create(loss, batch: 4, length: 8);

        var generated = workload.RunGenerated().ToSingles();
        var byHand = workload.RunByHand();

        Assert.Equal(byHand.Length, generated.Length);
        for (var index = 0; index < byHand.Length; index++)
        {
            Assert.Equal(byHand[index], generated[index], 5);
        }

        Assert.Contains(generated, value => value != 0);
    }

    public static TheoryData<string> Losses => new(LossWorkload.Names);

    [Fact]
    public async Task The_engine_benchmarks_run_at_a_tiny_size_and_write_their_sections()
    {
        var ledger = Path.Combine(Directory.CreateTempSubdirectory("mint-ledger-").FullName, "performance.md");
        var settings = new EngineBenchmarks.Settings(Quick: true, ledger, "smoke");

        await EngineBenchmarks.CustomLossOverheadAsync(settings, [Transports.Embedded(), Transports.Grpc()]);
        EngineBenchmarks.Efficiency(settings);
        await TransportBenchmarks.RunAsync(settings);
        EngineBenchmarks.Sampling(settings);

        var text = File.ReadAllText(ledger);
        foreach (var section in new[] { "custom-loss-overhead", "engine-efficiency", "transport", "sampling" })
        {
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, $"<!-- begin:{section} -->"));
        }

        Assert.Contains("| embedded |", text);
        Assert.Contains("| gRPC |", text);
        EngineBenchmarks.Sampling(settings);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(ledger), "<!-- begin:sampling -->"));
    }
}
