using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Mint.Dsl.Graphs;

namespace Mint.Protocol.Conversion;

/// <summary>
/// Loss graphs on the wire and back. Reading never throws and never judges: unknown enum values and
/// odd shapes arrive as they are, for <see cref="GraphChecker"/> to reject by name and rule.
/// </summary>
public static class GraphCodec
{
    /// <summary>The wire form of a loss graph.</summary>
    public static V1.LossGraph ToWire(LossGraph graph)
    {
        var wire = new V1.LossGraph
        {
            Name = graph.Name,
            Layout = graph.Layout == BatchLayout.ChosenRejectedPairs ? V1.BatchLayout.Pairs : V1.BatchLayout.Independent,
            Loss = graph.Loss,
        };
        wire.Inputs.AddRange(graph.Inputs.Select(input => new V1.GraphInput { Key = input.Key, Dtype = TensorCodec.ToWire(input.DType), Rank = (int)input.Rank }));
        foreach (var spec in graph.Config)
        {
            var config = new V1.GraphConfig
            {
                Key = spec.Key,
                Type = spec.Type switch
                {
                    LossConfigType.Integer => V1.ConfigType.Integer,
                    LossConfigType.Boolean => V1.ConfigType.Boolean,
                    _ => V1.ConfigType.Number,
                },
            };
            if (spec.DefaultValue is double value)
            {
                config.DefaultValue = value;
            }

            if (spec.Min is double min)
            {
                config.Min = min;
            }

            if (spec.Max is double max)
            {
                config.Max = max;
            }

            wire.Config.Add(config);
        }

        foreach (var order in graph.ConfigOrders)
        {
            var encoded = new V1.GraphConfigOrder();
            encoded.Keys.AddRange(order);
            wire.ConfigOrders.Add(encoded);
        }

        foreach (var node in graph.Nodes)
        {
            var encoded = new V1.GraphNode { Op = node.Op, KeepDim = node.KeepDim };
            encoded.Args.AddRange(node.Args);
            if (node.Key is not null)
            {
                encoded.Key = node.Key;
            }

            if (node.Value is double value)
            {
                encoded.Value = value;
            }

            if (node.Dim is int dim)
            {
                encoded.Dim = dim;
            }

            wire.Nodes.Add(encoded);
        }

        wire.Metrics.AddRange(graph.Metrics.Select(metric => new V1.GraphMetric { Name = metric.Name, Node = metric.Node }));
        wire.Terms.AddRange(graph.Terms.Select(term => new V1.GraphTerm { Name = term.Name, Node = term.Node, Weight = term.Weight }));
        return wire;
    }

    /// <summary>A loss graph read from the wire, unchecked.</summary>
    public static LossGraph FromWire(V1.LossGraph? wire)
    {
        wire ??= new V1.LossGraph();
        return new LossGraph(
            wire.Name,
            wire.Layout switch
            {
                V1.BatchLayout.Independent => BatchLayout.Independent,
                V1.BatchLayout.Pairs => BatchLayout.ChosenRejectedPairs,
                _ => (BatchLayout)(int)wire.Layout,
            },
            wire.Inputs.Select(input => new GraphInput(input.Key, DType(input.Dtype), (InputRank)input.Rank)).ToList(),
            wire.Config.Select(config => new LossConfigSpec(
                config.Key,
                config.Type switch
                {
                    V1.ConfigType.Number => LossConfigType.Number,
                    V1.ConfigType.Integer => LossConfigType.Integer,
                    V1.ConfigType.Boolean => LossConfigType.Boolean,
                    _ => (LossConfigType)(int)config.Type,
                },
                config.HasDefaultValue ? config.DefaultValue : null,
                config.HasMin ? config.Min : null,
                config.HasMax ? config.Max : null)).ToList(),
            wire.Nodes.Select(node => new GraphNode(
                node.Op,
                node.Args.ToList(),
                node.HasKey ? node.Key : null,
                node.HasValue ? node.Value : null,
                node.HasDim ? node.Dim : null,
                node.KeepDim)).ToList(),
            wire.Loss,
            wire.Metrics.Select(metric => new GraphMetric(metric.Name, metric.Node)).ToList(),
            wire.Terms.Select(term => new GraphTerm(term.Name, term.Node, term.Weight)).ToList(),
            wire.ConfigOrders.Select(order => (IReadOnlyList<string>)order.Keys.ToList()).ToList());
    }

    private static TensorDType DType(V1.DType dtype) => dtype switch
    {
        V1.DType.Float32 => TensorDType.Float32,
        V1.DType.Float64 => TensorDType.Float64,
        V1.DType.Int64 => TensorDType.Int64,
        _ => (TensorDType)(-1),
    };
}
