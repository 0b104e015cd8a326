namespace Mint.Dsl.Graphs;

/// <summary>A metric a loss graph reports: the value of node <paramref name="Node"/> under <paramref name="Name"/>.</summary>
/// <param name="Name">The metric's name.</param>
/// <param name="Node">The index of the node whose (scalar) value it reports.</param>
public sealed record GraphMetric(string Name, int Node);
