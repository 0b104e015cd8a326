using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace Mint.Dsl.Benchmarks.Loss;

/// <summary>Generated client-side loss compute vs the same loss by hand, per loss and batch shape.</summary>
[MemoryDiagnoser]
public class LossComputeBenchmarks
{
    private LossWorkload workload = null!;

    /// <summary>The loss.</summary>
    [ParamsSource(nameof(Losses))]
    public string Loss { get; set; } = "";

    /// <summary>Batch size × sequence length.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    /// <summary>The losses measured.</summary>
    public static IEnumerable<string> Losses => LossWorkload.Names;

    /// <summary>Corners and middle of batch 8–256 × length 128–4096.</summary>
    public static IEnumerable<string> Shapes => ["8x128", "8x4096", "64x1024", "256x128", "256x4096"];

    /// <summary>Builds the batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('x');
        workload = LossWorkload.Create(Loss, int.Parse(parts[0]), int.Parse(parts[1]));
    }

    /// <summary>The generated path.</summary>
    [Benchmark(Baseline = true)]
    public TensorData Generated() => workload.RunGenerated();

    /// <summary>The hand-written path.</summary>
    [Benchmark]
    public float[] ByHand() => workload.RunByHand();
}
