using System.Globalization;
using System.Linq;
using Mint.Dsl.Generators.Model;

namespace Mint.Dsl.Generators.Emitting;

/// <summary>
/// Writes a lowered loss's graph as a part of its generated definition: the nodes in execution
/// order, the loss and the metrics, with the contract the definition already holds. Pure and
/// deterministic, like <see cref="LossEmitter"/>.
/// </summary>
internal static class GraphEmitter
{
    private const string Graphs = "global::Mint.Dsl.Graphs";

    public static string HintName(LossModel model) => LossEmitter.HintName(model).Replace(".g.cs", ".Graph.g.cs");

    public static string Emit(LoweredLoss lowered)
    {
        var model = lowered.Loss;
        var graph = lowered.Graph;
        var writer = new CodeWriter();
        LossEmitter.OpenFile(writer, model);
        writer.Line($"partial class {model.DefinitionTypeName}");
        writer.Open();
        writer.Line($"private static {Graphs}.LossGraph? graph;");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line($"/// The loss graph lowered from the body of <see cref=\"{model.MethodName}\"/>: what a server runs inside");
        writer.Line("/// its own forward/backward pass. Built on first use (after the contract it carries).");
        writer.Line("/// </summary>");
        writer.Line($"public override {Graphs}.LossGraph? Graph => graph ??= new {Graphs}.LossGraph(");
        writer.Line("    contract,");
        writer.Line($"    new {Graphs}.GraphNode[]");
        writer.Line("    {");
        for (var index = 0; index < graph.Nodes.Count; index++)
        {
            writer.Line($"        {Node(graph.Nodes[index])}, // %{index.ToString(CultureInfo.InvariantCulture)}");
        }

        writer.Line("    },");
        writer.Line($"    loss: {graph.Loss.ToString(CultureInfo.InvariantCulture)},");
        var end = graph.Terms.Count == 0 ? ");" : ",";
        if (graph.Metrics.Count == 0)
        {
            writer.Line($"    metrics: global::System.Array.Empty<{Graphs}.GraphMetric>(){end}");
        }
        else
        {
            writer.Line($"    metrics: new {Graphs}.GraphMetric[]");
            writer.Line("    {");
            foreach (var metric in graph.Metrics)
            {
                writer.Line($"        new {Graphs}.GraphMetric({Literal(metric.Name)}, {metric.Node.ToString(CultureInfo.InvariantCulture)}),");
            }

            writer.Line($"    }}{end}");
        }

        if (graph.Terms.Count > 0)
        {
            writer.Line($"    terms: new {Graphs}.GraphTerm[]");
            writer.Line("    {");
            foreach (var term in graph.Terms)
            {
                writer.Line($"        new {Graphs}.GraphTerm({Literal(term.Name)}, {term.Node.ToString(CultureInfo.InvariantCulture)}, {term.Weight.ToString(CultureInfo.InvariantCulture)}),");
            }

            writer.Line("    });");
        }

        writer.Close();
        LossEmitter.CloseFile(writer, model);
        return writer.ToString();
    }

    private static string Node(OpNode node)
    {
        var args = string.Join(", ", node.Args.Select(arg => arg.ToString(CultureInfo.InvariantCulture)));
        return node.Op switch
        {
            "input" => $"{Graphs}.GraphNode.Input({Literal(node.Key!)})",
            "config" => $"{Graphs}.GraphNode.Config({Literal(node.Key!)})",
            "const" => $"{Graphs}.GraphNode.Constant({node.ValueLiteral}d)",
            "cast" => $"{Graphs}.GraphNode.Cast({args}, {Literal(node.Key!)})",
            "sum" or "mean" or "logsumexp" => $"{Graphs}.GraphNode.Reduce({Literal(node.Op)}, {args}"
                + (node.Dim is int dim ? $", dim: {dim.ToString(CultureInfo.InvariantCulture)}" : string.Empty)
                + (node.KeepDim ? ", keepDim: true" : string.Empty) + ")",
            _ => $"{Graphs}.GraphNode.Apply({Literal(node.Op)}{(args.Length > 0 ? ", " + args : string.Empty)})",
        };
    }

    private static string Literal(string value) => LossEmitter.Literal(value);
}
