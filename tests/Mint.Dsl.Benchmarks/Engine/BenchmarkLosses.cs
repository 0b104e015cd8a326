using Mint.Dsl.Graphs;

namespace Mint.Dsl.Benchmarks.Engine;

/// <summary>Losses the benchmarks run as custom losses.</summary>
public static class BenchmarkLosses
{
    /// <summary>
    /// The built-in cross-entropy as a custom loss: its lowered graph, rebuilt as any registered graph
    /// is (the formula stays in <see cref="BuiltinLosses"/>), so it can run in the engine on every transport.
    /// </summary>
    public static LossDefinition CrossEntropyAsCustomLoss { get; } = GraphLossDefinition.Load(BuiltinLosses.CrossEntropyLoss.Graph!);
}
