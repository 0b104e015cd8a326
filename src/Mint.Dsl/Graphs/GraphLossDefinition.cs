using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl.Graphs;

/// <summary>
/// A loss rebuilt from a <see cref="LossGraph"/> with this assembly's op table: what a server runs
/// for a registered custom loss, inside its forward/backward pass like a built-in. Batches are
/// validated against the contract the graph carries, by the same rules (and with the same messages)
/// as the validation the generator emits.
/// </summary>
public sealed class GraphLossDefinition : LossDefinition
{
    private readonly OpSpec[] ops;

    private GraphLossDefinition(LossGraph graph, OpSpec[] ops, IReadOnlyDictionary<string, double>? config)
        : base(graph.Contract, config)
    {
        LoadedGraph = graph;
        this.ops = ops;
    }

    /// <summary>The graph this loss runs.</summary>
    public LossGraph LoadedGraph { get; }

    /// <inheritdoc />
    public override LossGraph? Graph => LoadedGraph;

    /// <summary>
    /// Checks <paramref name="graph"/> (<see cref="GraphChecker"/>) and rebuilds it from the op table;
    /// throws <see cref="BatchValidationException"/> naming every problem.
    /// </summary>
    public static GraphLossDefinition Load(LossGraph graph)
    {
        GraphChecker.Check(graph);
        var ops = graph.Nodes.Select(node => GraphOps.TryGet(node.Op, out var spec) ? spec : null!).ToArray();
        return new GraphLossDefinition(graph, ops, null);
    }

    /// <inheritdoc />
    protected override void ValidateData(BatchValidator check) => ContractChecks.Apply(check, Contract);

    /// <inheritdoc />
    protected override LossResult Invoke(LossBatch batch)
    {
        var scope = new GraphRunScope(batch, ConfigValue, key => LoadedGraph.Inputs.First(input => input.Key == key).Rank);
        var values = new GraphValue[ops.Length];
        for (var index = 0; index < ops.Length; index++)
        {
            var node = LoadedGraph.Nodes[index];
            var args = new GraphValue[node.Args.Count];
            for (var position = 0; position < args.Length; position++)
            {
                args[position] = values[node.Args[position]];
            }

            values[index] = ops[index].Run(scope, node, args);
        }

        var result = new LossResult(values[LoadedGraph.Loss].T);
        foreach (var metric in LoadedGraph.Metrics)
        {
            var value = values[metric.Node];
            if (value.Tensor is null)
            {
                result.Metric(metric.Name, value.Number);
            }
            else
            {
                result.Metric(metric.Name, value.Tensor);
            }
        }

        foreach (var term in LoadedGraph.Terms)
        {
            result.Term(term.Name, values[term.Node].T, values[term.Weight].Number);
        }

        return result;
    }

    /// <inheritdoc />
    protected override LossDefinition Rebind(IReadOnlyDictionary<string, double> newConfig) => new GraphLossDefinition(LoadedGraph, ops, newConfig);
}
