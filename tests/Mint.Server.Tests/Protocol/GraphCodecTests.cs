using System.Linq;
using Google.Protobuf;
using Mint.Dsl;
using Mint.Dsl.Graphs;
using Mint.Protocol.Conversion;
using Xunit;
using V1 = Mint.Protocol.V1;

namespace Mint.Server.Tests.Protocol;

/// <summary>
/// Loss graphs on the wire: every part of a graph arrives as sent through the encoded bytes, optional
/// fields keep "absent" apart from zero, and values the reader does not know arrive unjudged for the
/// graph checker to name.
/// </summary>
public sealed class GraphCodecTests
{
    // Every field a graph can carry, each optional one once present (with 0 where 0 could be confused
    // with absence) and once absent.
    private static LossGraph Full() => new(
        "margin_pairs",
        BatchLayout.ChosenRejectedPairs,
        [
            new GraphInput(LossGraph.TargetLogprobsKey, TensorDType.Float32, InputRank.PerToken),
            new GraphInput("ids", TensorDType.Int64, InputRank.KPerToken),
            new GraphInput("reference", TensorDType.Float64, InputRank.PerDatum),
        ],
        [
            new LossConfigSpec("beta", LossConfigType.Number, 0.0, Min: 0.0, Max: 2.5),
            new LossConfigSpec("steps", LossConfigType.Integer, null, Min: 1.0),
            new LossConfigSpec("center", LossConfigType.Boolean, 1.0, Max: 1.0),
            new LossConfigSpec("high", LossConfigType.Number, null),
        ],
        [
            GraphNode.Input(LossGraph.TargetLogprobsKey),
            GraphNode.Config("beta"),
            GraphNode.Constant(0.0),
            GraphNode.Apply("mul", 0, 1),
            GraphNode.Reduce("sum", 3, dim: 0, keepDim: true),
            GraphNode.Reduce("sum", 4),
        ],
        5,
        [new GraphMetric("margin", 4), new GraphMetric("scale", 1)],
        [new GraphTerm("l2", 3, 2)],
        [["steps", "high"], ["beta", "high"]]);

    private static LossGraph ThroughBytes(LossGraph graph) =>
        GraphCodec.FromWire(V1.LossGraph.Parser.ParseFrom(GraphCodec.ToWire(graph).ToByteArray()));

    [Fact]
    public void Every_part_of_a_graph_arrives_as_sent()
    {
        var graph = Full();

        var back = ThroughBytes(graph);

        Assert.Equal(graph.Name, back.Name);
        Assert.Equal(BatchLayout.ChosenRejectedPairs, back.Layout);
        Assert.Equal(graph.Inputs, back.Inputs);
        Assert.Equal(graph.Config, back.Config);
        Assert.Equal(graph.ConfigOrders, back.ConfigOrders);
        Assert.Equal(graph.Nodes, back.Nodes);
        Assert.Equal(5, back.Loss);
        Assert.Equal(graph.Metrics, back.Metrics);
        Assert.Equal(graph.Terms, back.Terms);
        Assert.Equal(graph.ToString(), back.ToString());
    }

    [Fact]
    public void The_wire_form_uses_the_protocol_enums_and_leaves_absent_fields_unset()
    {
        var wire = GraphCodec.ToWire(Full());

        Assert.Equal(V1.BatchLayout.Pairs, wire.Layout);
        Assert.Equal([V1.DType.Float32, V1.DType.Int64, V1.DType.Float64], wire.Inputs.Select(input => input.Dtype));
        Assert.Equal([1, 2, 0], wire.Inputs.Select(input => input.Rank));
        Assert.Equal([V1.ConfigType.Number, V1.ConfigType.Integer, V1.ConfigType.Boolean, V1.ConfigType.Number], wire.Config.Select(config => config.Type));
        Assert.Equal([true, false, true, false], wire.Config.Select(config => config.HasDefaultValue));
        Assert.Equal([true, true, false, false], wire.Config.Select(config => config.HasMin));
        Assert.Equal([true, false, true, false], wire.Config.Select(config => config.HasMax));
        Assert.Equal((0.0, 2.5), (wire.Config[0].Min, wire.Config[0].Max));
        Assert.Equal([true, true, false, false, false, false], wire.Nodes.Select(node => node.HasKey));
        Assert.Equal([false, false, true, false, false, false], wire.Nodes.Select(node => node.HasValue));
        Assert.Equal([false, false, false, false, true, false], wire.Nodes.Select(node => node.HasDim));
        Assert.Equal(V1.BatchLayout.Independent, GraphCodec.ToWire(new LossGraph("single", BatchLayout.Independent, [], [], [], 0, [])).Layout);
    }

    [Fact]
    public void A_graph_without_pairs_terms_or_orders_arrives_without_them()
    {
        var graph = new LossGraph("plain", BatchLayout.Independent, [new GraphInput(LossGraph.TargetLogprobsKey, TensorDType.Float32, InputRank.PerToken)], [], [GraphNode.Input(LossGraph.TargetLogprobsKey)], 0, []);

        var back = ThroughBytes(graph);

        Assert.Equal(BatchLayout.Independent, back.Layout);
        Assert.Empty(back.Terms);
        Assert.Empty(back.ConfigOrders);
        Assert.Equal(graph.ToString(), back.ToString());
    }

    [Fact]
    public void Unknown_enum_values_arrive_unjudged_for_the_checker_to_name()
    {
        var wire = new V1.LossGraph { Name = "odd", Layout = (V1.BatchLayout)7 };
        wire.Inputs.Add(new V1.GraphInput { Key = "x", Dtype = V1.DType.Unspecified, Rank = 9 });
        wire.Config.Add(new V1.GraphConfig { Key = "c", Type = (V1.ConfigType)11 });

        var graph = GraphCodec.FromWire(V1.LossGraph.Parser.ParseFrom(wire.ToByteArray()));

        Assert.Equal((BatchLayout)7, graph.Layout);
        Assert.Equal(new GraphInput("x", (TensorDType)(-1), (InputRank)9), graph.Inputs[0]);
        Assert.Equal((LossConfigType)11, graph.Config[0].Type);
        Assert.StartsWith("loss odd\ninput x: dtype(-1) rank(9)\n", graph.ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_graph_reads_as_an_empty_one()
    {
        var graph = GraphCodec.FromWire(null);

        Assert.Equal(string.Empty, graph.Name);
        Assert.Empty(graph.Inputs);
        Assert.Empty(graph.Nodes);
        Assert.Empty(graph.Metrics);
    }
}
