using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Mint.Dsl.Graphs;

/// <summary>
/// The closed op set of loss graphs, one table: each op's arity, the rule that types its result
/// (used by <see cref="GraphChecker"/> before anything runs) and its TorchSharp implementation. A
/// server rebuilds a graph only from this table; a name it does not hold is rejected.
/// </summary>
public static class GraphOps
{
    private static readonly Dictionary<string, OpSpec> Table = Build().ToDictionary(spec => spec.Name, StringComparer.Ordinal);

    /// <summary>Every op name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Keys.Order(StringComparer.Ordinal).ToList();

    internal static bool TryGet(string name, out OpSpec spec) => Table.TryGetValue(name, out spec!);

    private static IEnumerable<OpSpec> Build()
    {
        // Leaves.
        yield return new("input", 0, (scope, node, _) => scope.Input(node.Key), (scope, node, _) => GraphValue.Of(scope.Input(node.Key!)));
        yield return new("config", 0, (scope, node, _) => scope.Config(node.Key), (scope, node, _) => GraphValue.Of(scope.Config(node.Key!)));
        yield return new("const", 0, (_, node, _) => Constant(node), (_, node, _) => GraphValue.Of(node.Value!.Value));

        // Elementwise arithmetic: numbers stay .NET numbers, as in the loss method's C#.
        yield return Arithmetic("add", (a, b) => a + b, (a, b) => a + b, (a, b) => a + b, (a, b) => a + b);
        yield return Arithmetic("sub", (a, b) => a - b, (a, b) => a - b, (a, b) => a - b, (a, b) => a - b);
        yield return Arithmetic("mul", (a, b) => a * b, (a, b) => a * b, (a, b) => a * b, (a, b) => a * b);
        yield return Arithmetic("div", (a, b) => a / b, (a, b) => a / b, (a, b) => a / b, (a, b) => a / b);
        yield return new("neg", 1, (_, _, args) => args[0].IsNumber ? ValueInfo.Number : NotBoolean(args[0], "neg"),
            (_, _, args) => args[0].Tensor is null ? GraphValue.Of(-args[0].Number) : GraphValue.Of(-args[0].T));

        // Comparisons give booleans.
        yield return Comparison("gt", (a, b) => a > b, (a, b) => a > b, (a, b) => a < b);
        yield return Comparison("lt", (a, b) => a < b, (a, b) => a < b, (a, b) => a > b);
        yield return Comparison("ge", (a, b) => a >= b, (a, b) => a >= b, (a, b) => a <= b);
        yield return Comparison("le", (a, b) => a <= b, (a, b) => a <= b, (a, b) => a >= b);

        yield return new("where", 3, (_, _, args) => Where(args), (_, _, args) => GraphValue.Of(where(args[0].T, args[1].T, args[2].T)));
        yield return new("minimum", 2, (_, _, args) => SameCategory(args, "minimum"), (_, _, args) => GraphValue.Of(minimum(args[0].T, args[1].T)));
        yield return new("maximum", 2, (_, _, args) => SameCategory(args, "maximum"), (_, _, args) => GraphValue.Of(maximum(args[0].T, args[1].T)));

        // Elementwise functions of floating-point tensors.
        yield return FloatFunction("exp", x => x.exp());
        yield return FloatFunction("log", x => x.log());
        yield return FloatFunction("log1p", x => x.log1p());
        yield return FloatFunction("expm1", x => x.expm1());
        yield return FloatFunction("sigmoid", x => x.sigmoid());
        yield return FloatFunction("logsigmoid", x => nn.functional.logsigmoid(x));
        yield return FloatFunction("softplus", x => nn.functional.softplus(x));
        yield return FloatFunction("tanh", x => x.tanh());
        yield return FloatFunction("sqrt", x => x.sqrt());
        yield return new("relu", 1, (_, _, args) => NotBoolean(Tensor(args[0], "relu"), "relu"), (_, _, args) => GraphValue.Of(args[0].T.relu()));
        yield return new("abs", 1, (_, _, args) => NotBoolean(Tensor(args[0], "abs"), "abs"), (_, _, args) => GraphValue.Of(args[0].T.abs()));
        yield return new("square", 1, (_, _, args) => NotBoolean(Tensor(args[0], "square"), "square"), (_, _, args) => GraphValue.Of(args[0].T.square()));
        yield return new("pow", 2, (_, _, args) => Pow(args), (_, _, args) => GraphValue.Of(args[0].T.pow(args[1].S)));
        yield return new("clamp", 3, (_, _, args) => Clamp(args, "clamp"), (_, _, args) => GraphValue.Of(args[0].T.clamp(args[1].S, args[2].S)));
        yield return new("clamp_min", 2, (_, _, args) => Clamp(args, "clamp_min"), (_, _, args) => GraphValue.Of(args[0].T.clamp_min(args[1].S)));
        yield return new("clamp_max", 2, (_, _, args) => Clamp(args, "clamp_max"), (_, _, args) => GraphValue.Of(args[0].T.clamp_max(args[1].S)));

        // Reductions over every dimension or one.
        yield return new("sum", 1, (_, node, args) => Reduce(node, args[0], "sum"), (_, node, args) => GraphValue.Of(node.Dim is int dim
            ? args[0].T.sum(dim, node.KeepDim)
            : args[0].T.sum()));
        yield return new("mean", 1, (_, node, args) => Reduce(node, args[0], "mean"), (_, node, args) => GraphValue.Of(node.Dim is int dim
            ? args[0].T.mean([dim], node.KeepDim)
            : args[0].T.mean()));

        // log Σ exp over one dimension (a dimension is required, as in torch.logsumexp).
        yield return new("logsumexp", 1, (_, node, args) => LogSumExp(node, args[0]), (_, node, args) => GraphValue.Of(args[0].T.logsumexp(node.Dim!.Value, node.KeepDim)));

        // Autograd, dtypes and pairs.
        yield return new("detach", 1, (_, _, args) => Tensor(args[0], "detach"), (_, _, args) => GraphValue.Of(args[0].T.detach()));
        yield return new("cast", 1, (_, node, args) => Cast(node, args[0]), (_, node, args) => GraphValue.Of(args[0].T.to(CastTarget(node.Key!))));
        yield return new("chosen", 1, (scope, _, args) => PairHalf(scope, args[0], "chosen"), (_, _, args) => GraphValue.Of(args[0].T[TensorIndex.Slice(0, null, 2)]));
        yield return new("rejected", 1, (scope, _, args) => PairHalf(scope, args[0], "rejected"), (_, _, args) => GraphValue.Of(args[0].T[TensorIndex.Slice(1, null, 2)]));
    }

    private static OpSpec Arithmetic(
        string name,
        Func<double, double, double> numbers,
        Func<Tensor, Tensor, Tensor> tensors,
        Func<Tensor, double, Tensor> tensorNumber,
        Func<double, Tensor, Tensor> numberTensor) => new(
        name,
        2,
        (_, _, args) =>
        {
            if (args[0].IsNumber && args[1].IsNumber)
            {
                return ValueInfo.Number;
            }

            NotBoolean(args[0], name);
            NotBoolean(args[1], name);
            var floating = name == "div" || args.Any(arg => arg.IsNumber || arg.Category == ValueCategory.Float);
            return ValueInfo.Tensor(floating ? ValueCategory.Float : ValueCategory.Integer, Broadcast(name, args));
        },
        (_, _, args) => (args[0].Tensor, args[1].Tensor) switch
        {
            (null, null) => GraphValue.Of(numbers(args[0].Number, args[1].Number)),
            (Tensor a, null) => GraphValue.Of(tensorNumber(a, args[1].Number)),
            (null, Tensor b) => GraphValue.Of(numberTensor(args[0].Number, b)),
            (Tensor a, Tensor b) => GraphValue.Of(tensors(a, b)),
        });

    private static OpSpec Comparison(string name, Func<Tensor, Tensor, Tensor> tensors, Func<Tensor, Scalar, Tensor> tensorNumber, Func<Tensor, Scalar, Tensor> numberTensorFlipped) => new(
        name,
        2,
        (_, _, args) =>
        {
            if (args[0].IsNumber && args[1].IsNumber)
            {
                throw new GraphRuleException("dtype", $"{name} compares two numbers; at least one side must be a tensor.");
            }

            NotBoolean(args[0], name);
            NotBoolean(args[1], name);
            return ValueInfo.Tensor(ValueCategory.Boolean, Broadcast(name, args));
        },
        (_, _, args) => (args[0].Tensor, args[1].Tensor) switch
        {
            (Tensor a, null) => GraphValue.Of(tensorNumber(a, args[1].S)),
            (null, Tensor b) => GraphValue.Of(numberTensorFlipped(b, args[0].S)),
            _ => GraphValue.Of(tensors(args[0].T, args[1].T)),
        });

    private static OpSpec FloatFunction(string name, Func<Tensor, Tensor> apply) => new(
        name,
        1,
        (_, _, args) => Floating(Tensor(args[0], name), name),
        (_, _, args) => GraphValue.Of(apply(args[0].T)));

    private static ValueInfo Constant(GraphNode node)
    {
        if (node.Value is not double value)
        {
            throw new GraphRuleException("constant", "a const node needs a value.");
        }

        return double.IsFinite(value) ? ValueInfo.Number : throw new GraphRuleException("finite constant", $"the constant is {value}; constants must be finite.");
    }

    private static ValueInfo Tensor(ValueInfo value, string op) =>
        value.IsNumber ? throw new GraphRuleException("dtype", $"{op} needs a tensor; it got a number.") : value;

    private static ValueInfo NotBoolean(ValueInfo value, string op) =>
        !value.IsNumber && value.Category == ValueCategory.Boolean
            ? throw new GraphRuleException("dtype", $"{op} does not take a boolean tensor; cast it first.")
            : value;

    private static ValueInfo Floating(ValueInfo value, string op) =>
        value.Category != ValueCategory.Float
            ? throw new GraphRuleException("dtype", $"{op} needs a floating-point tensor; it got a {value}.")
            : value;

    private static ValueInfo Where(ValueInfo[] args)
    {
        if (args.Any(arg => arg.IsNumber))
        {
            throw new GraphRuleException("dtype", "where takes three tensors.");
        }

        if (args[0].Category != ValueCategory.Boolean)
        {
            throw new GraphRuleException("dtype", $"where's condition must be a boolean tensor; it got a {args[0]}.");
        }

        if (args[1].Category != args[2].Category)
        {
            throw new GraphRuleException("dtype", $"where's branches differ: {args[1]} and {args[2]}.");
        }

        return ValueInfo.Tensor(args[1].Category, Broadcast("where", args));
    }

    private static ValueInfo SameCategory(ValueInfo[] args, string op)
    {
        Tensor(args[0], op);
        Tensor(args[1], op);
        NotBoolean(args[0], op);
        if (args[0].Category != args[1].Category)
        {
            throw new GraphRuleException("dtype", $"{op} takes two tensors of one kind; it got {args[0]} and {args[1]}.");
        }

        return ValueInfo.Tensor(args[0].Category, Broadcast(op, args));
    }

    private static ValueInfo Pow(ValueInfo[] args)
    {
        Floating(Tensor(args[0], "pow"), "pow");
        return args[1].IsNumber ? args[0] : throw new GraphRuleException("dtype", "pow raises a tensor to a number (a constant or config value), not to a tensor.");
    }

    private static ValueInfo Clamp(ValueInfo[] args, string op)
    {
        Floating(Tensor(args[0], op), op);
        return args.Skip(1).All(arg => arg.IsNumber) ? args[0] : throw new GraphRuleException("dtype", $"{op}'s bounds must be numbers (constants or config values).");
    }

    private static ValueInfo Reduce(GraphNode node, ValueInfo value, string op)
    {
        Tensor(value, op);
        var category = value.Category;
        if (op == "mean")
        {
            Floating(value, op);
        }
        else if (category == ValueCategory.Boolean)
        {
            category = ValueCategory.Integer;
        }

        if (node.Dim is not int dim)
        {
            return node.KeepDim
                ? ValueInfo.Tensor(category, value.Shape.Select(_ => "1"))
                : ValueInfo.Tensor(category, []);
        }

        var axis = dim < 0 ? dim + value.Rank : dim;
        if (axis < 0 || axis >= value.Rank)
        {
            throw new GraphRuleException("rank", $"{op} over dim {dim} of a {value}: no such dimension.");
        }

        var shape = value.Shape.ToList();
        if (node.KeepDim)
        {
            shape[axis] = "1";
        }
        else
        {
            shape.RemoveAt(axis);
        }

        return ValueInfo.Tensor(category, shape);
    }

    private static ValueInfo LogSumExp(GraphNode node, ValueInfo value)
    {
        Floating(Tensor(value, "logsumexp"), "logsumexp");
        return node.Dim is null
            ? throw new GraphRuleException("attributes", "logsumexp needs a dim.")
            : Reduce(node, value, "logsumexp");
    }

    private static ValueInfo Cast(GraphNode node, ValueInfo value)
    {
        Tensor(value, "cast");
        return ValueInfo.Tensor(node.Key switch
        {
            "float32" or "float64" => ValueCategory.Float,
            "int64" => ValueCategory.Integer,
            "bool" => ValueCategory.Boolean,
            _ => throw new GraphRuleException("dtype", $"cast to '{node.Key}': the dtypes are float32, float64, int64 and bool."),
        }, value.Shape);
    }

    private static ScalarType CastTarget(string dtype) => dtype switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        "int64" => ScalarType.Int64,
        _ => ScalarType.Bool,
    };

    private static ValueInfo PairHalf(GraphCheckScope scope, ValueInfo value, string op)
    {
        Tensor(value, op);
        if (scope.Layout != BatchLayout.ChosenRejectedPairs)
        {
            throw new GraphRuleException("layout", $"{op} splits pairs, but the graph's batch layout is not paired.");
        }

        if (value.Rank == 0 || value.Shape[0] != "B")
        {
            throw new GraphRuleException("rank", $"{op} splits the rows of a batch; it got a {value}.");
        }

        return ValueInfo.Tensor(value.Category, value.Shape.Skip(1).Prepend("P"));
    }

    /// <summary>Broadcasts tensor shapes from the right: equal dimensions, or one of them 1.</summary>
    private static IReadOnlyList<string> Broadcast(string op, ValueInfo[] args)
    {
        var shapes = args.Where(arg => !arg.IsNumber).Select(arg => arg.Shape).ToList();
        var rank = shapes.Max(shape => shape.Count);
        var result = new string[rank];
        for (var offset = 1; offset <= rank; offset++)
        {
            var dim = "1";
            foreach (var shape in shapes.Where(shape => shape.Count >= offset))
            {
                var candidate = shape[shape.Count - offset];
                if (candidate == "1" || candidate == dim)
                {
                    continue;
                }

                if (dim != "1")
                {
                    throw new GraphRuleException("shape", $"{op} cannot broadcast {string.Join(" with ", args.Where(arg => !arg.IsNumber))}.");
                }

                dim = candidate;
            }

            result[rank - offset] = dim;
        }

        return result;
    }
}

/// <summary>One row of the op table.</summary>
internal sealed record OpSpec(
    string Name,
    int Arity,
    Func<GraphCheckScope, GraphNode, ValueInfo[], ValueInfo> Infer,
    Func<GraphRunScope, GraphNode, GraphValue[], GraphValue> Run);

/// <summary>A graph breaks one of the checker's rules.</summary>
internal sealed class GraphRuleException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}
