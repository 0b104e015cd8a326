namespace Mint.Dsl.Graphs;

/// <summary>
/// A named, weighted term a loss graph adds to its loss, as <see cref="LossResult.Term"/> does: the
/// loss is the graph's loss node plus <c>weight · value</c> for each term, in order.
/// </summary>
/// <param name="Name">The term's name, reported as <c>terms/{Name}</c>.</param>
/// <param name="Node">The index of the node holding the term's (scalar, floating-point) value.</param>
/// <param name="Weight">The index of the number node holding its weight (a constant or a config value).</param>
public sealed record GraphTerm(string Name, int Node, int Weight);
