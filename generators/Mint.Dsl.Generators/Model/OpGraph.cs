namespace Mint.Dsl.Generators.Model;

/// <summary>One node of a lowered loss graph (the runtime's <c>GraphNode</c>, as plain values).</summary>
/// <param name="Op">The op's name in the runtime's op table.</param>
/// <param name="Args">Indices of earlier nodes.</param>
/// <param name="Key">Input key, config key or cast dtype; null for other ops.</param>
/// <param name="ValueLiteral">A <c>const</c> node's value as a round-trip C# double literal.</param>
/// <param name="Dim">A reduction's dimension; null for all.</param>
/// <param name="KeepDim">Whether a reduction keeps its dimension.</param>
internal sealed record OpNode(string Op, EquatableArray<int> Args, string? Key, string? ValueLiteral, int? Dim, bool KeepDim);

/// <summary>A metric of a lowered loss: its name and the node it reports.</summary>
internal sealed record OpMetric(string Name, int Node);

/// <summary>A term of a lowered loss: its name, the node of its value and the number node of its weight.</summary>
internal sealed record OpTerm(string Name, int Node, int Weight);

/// <summary>A loss body lowered to a graph: nodes in execution order, the (base) loss node, the metrics and the terms.</summary>
internal sealed record OpGraph(EquatableArray<OpNode> Nodes, int Loss, EquatableArray<OpMetric> Metrics, EquatableArray<OpTerm> Terms);

/// <summary>
/// An expression that keeps a loss body from lowering, as data (no <c>Location</c> in a cached
/// model): where it is in its file, its text and why it does not lower.
/// </summary>
/// <param name="Start">The expression's start in its syntax tree.</param>
/// <param name="Length">The expression's length.</param>
/// <param name="Expression">The expression's text, shortened.</param>
/// <param name="Reason">Why it does not lower, as a clause ("calls user method 'Helper'…").</param>
internal sealed record LoweringProblem(int Start, int Length, string Expression, string Reason);

/// <summary>What lowering a loss body gives: the graph, or null with every problem found.</summary>
internal sealed record LoweringResult(OpGraph? Graph, EquatableArray<LoweringProblem> Problems);

/// <summary>A loss whose body lowered: its model (for names) and its graph; the generator's pipeline value.</summary>
internal sealed record LoweredLoss(LossModel Loss, OpGraph Graph);
