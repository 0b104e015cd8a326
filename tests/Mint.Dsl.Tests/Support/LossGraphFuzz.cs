using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Mint.Dsl;
using Mint.Dsl.Graphs;
using Mint.Samples.Preference;

namespace Mint.Dsl.Tests.Support;

/// <summary>
/// FsCheck generators of loss graphs for fuzzing what checks and runs them: built-in and sample graphs
/// with one to four edits (op, arguments, keys, constants, dims, nodes, loss, metrics, inputs, layout,
/// config), and random graphs over the op set. The checker's property tests use them in-process; the
/// server's fuzz sends them through <c>RegisterLoss</c> over a socket.
/// </summary>
internal static class LossGraphFuzz
{
    private static readonly string[] Keys = ["target_logprobs", "target_tokens", "weights", "logprobs", "advantages", "beta", "float32", "float64", "int64", "bool", "nope", ""];

    private static readonly double[] Numbers = [0, 1, -1, 0.5, 2, 1e30, double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    private static readonly string[] Ops = [.. GraphOps.Names, "softmax", "", "EXP", "input "];

    private static readonly LossGraph[] Seeds =
    [
        BuiltinLosses.CrossEntropyLoss.Graph!,
        BuiltinLosses.ImportanceSamplingLoss.Graph!,
        BuiltinLosses.PpoLoss.Graph!,
        BuiltinLosses.CispoLoss.Graph!,
        BuiltinLosses.DroLoss.Graph!,
        PreferenceLosses.PairwisePreferenceLoss.Graph!,
        PreferenceLosses.DpoLoss.Graph!,
    ];

    private static readonly GraphInput[] RandomInputs =
    [
        new(LossGraph.TargetLogprobsKey, TensorDType.Float32, InputRank.PerToken),
        new("target_tokens", TensorDType.Int64, InputRank.PerToken),
        new("weights", TensorDType.Float32, InputRank.PerToken),
        new("logprobs", TensorDType.Float32, InputRank.PerToken),
        new("advantages", TensorDType.Float32, InputRank.PerToken),
    ];

    private enum Mutation
    {
        Op,
        Arg,
        AddArg,
        DropArg,
        Key,
        Value,
        Dim,
        KeepDim,
        DropNode,
        DuplicateNode,
        Loss,
        Metric,
        InputRank,
        InputDType,
        DropInput,
        Layout,
        ConfigDefault,
    }

    /// <summary>A built-in or sample graph with one to four edits.</summary>
    public static Gen<LossGraph> Mutated()
    {
        var edit = from kind in Gen.Elements(Enum.GetValues<Mutation>())
                   from position in Gen.Choose(-2, 40)
                   from other in Gen.Choose(-2, 40)
                   from key in Gen.Elements(Keys)
                   from number in Gen.Elements(Numbers)
                   from op in Gen.Elements(Ops)
                   select (kind, position, other, key, number, op);
        return from seed in Gen.Elements(Seeds)
               from count in Gen.Choose(1, 4)
               from edits in Gen.ArrayOf(edit, count)
               select Mutate(seed, edits);
    }

    /// <summary>A random graph of 1 to 25 nodes over the op set (and a few names outside it).</summary>
    public static Gen<LossGraph> Random()
    {
        var node = from op in Gen.Elements(Ops)
                   from arity in Gen.Choose(0, 3)
                   from args in Gen.ArrayOf(Gen.Choose(-1, 24), arity)
                   from key in Gen.Elements(Keys)
                   from number in Gen.Elements(Numbers)
                   from dim in Gen.Choose(-3, 3)
                   from keep in Gen.Elements(false, false, true)
                   select new GraphNode(
                       op,
                       args,
                       op is "input" or "config" or "cast" ? key : null,
                       op == "const" ? number : null,
                       op is "sum" or "mean" && dim != 3 ? dim : null,
                       op is "sum" or "mean" && keep);
        return from count in Gen.Choose(1, 25)
               from nodes in Gen.ArrayOf(node, count)
               from loss in Gen.Choose(-1, 25)
               from paired in Gen.Elements(false, true)
               from metric in Gen.Choose(-1, 25)
               select new LossGraph(
                   "random",
                   paired ? BatchLayout.ChosenRejectedPairs : BatchLayout.Independent,
                   RandomInputs,
                   [new LossConfigSpec("beta", LossConfigType.Number, 0.1)],
                   nodes,
                   loss,
                   metric < 0 ? [] : [new GraphMetric("m", metric)]);
    }

    private static LossGraph Mutate(LossGraph seed, (Mutation Kind, int Position, int Other, string Key, double Number, string Op)[] edits)
    {
        var nodes = seed.Nodes.ToList();
        var inputs = seed.Inputs.ToList();
        var config = seed.Config.ToList();
        var metrics = seed.Metrics.ToList();
        var (layout, loss) = (seed.Layout, seed.Loss);
        foreach (var (kind, position, other, key, number, op) in edits)
        {
            var at = nodes.Count == 0 ? 0 : Math.Abs(position) % nodes.Count;
            var node = nodes.Count == 0 ? GraphNode.Constant(0) : nodes[at];
            GraphNode Set(GraphNode changed) => nodes.Count == 0 ? changed : nodes[at] = changed;
            switch (kind)
            {
                case Mutation.Op: Set(node with { Op = op }); break;
                case Mutation.Arg when node.Args.Count > 0: Set(node with { Args = node.Args.Select((arg, index) => index == other % node.Args.Count ? position : arg).ToList() }); break;
                case Mutation.AddArg: Set(node with { Args = [.. node.Args, other] }); break;
                case Mutation.DropArg when node.Args.Count > 0: Set(node with { Args = node.Args.Skip(1).ToList() }); break;
                case Mutation.Key: Set(node with { Key = key }); break;
                case Mutation.Value: Set(node with { Value = number }); break;
                case Mutation.Dim: Set(node with { Dim = other % 4 }); break;
                case Mutation.KeepDim: Set(node with { KeepDim = !node.KeepDim }); break;
                case Mutation.DropNode when nodes.Count > 0: nodes.RemoveAt(at); break;
                case Mutation.DuplicateNode when nodes.Count > 0: nodes.Insert(at, node); break;
                case Mutation.Loss: loss = position; break;
                case Mutation.Metric: metrics.Add(new GraphMetric(key, position)); break;
                case Mutation.InputRank: inputs[Math.Abs(position) % inputs.Count] = inputs[Math.Abs(position) % inputs.Count] with { Rank = (InputRank)(other % 4) }; break;
                case Mutation.InputDType: inputs[Math.Abs(position) % inputs.Count] = inputs[Math.Abs(position) % inputs.Count] with { DType = (TensorDType)(other % 4) }; break;
                case Mutation.DropInput when inputs.Count > 1: inputs.RemoveAt(Math.Abs(position) % inputs.Count); break;
                case Mutation.Layout: layout = layout == BatchLayout.Independent ? BatchLayout.ChosenRejectedPairs : BatchLayout.Independent; break;
                case Mutation.ConfigDefault when config.Count > 0: config[0] = config[0] with { DefaultValue = number }; break;
            }
        }

        return new LossGraph(seed.Name, layout, inputs, config, nodes, loss, metrics);
    }
}
