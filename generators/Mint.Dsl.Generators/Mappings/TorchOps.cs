using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Mint.Dsl.Generators.Mappings;

/// <summary>How the lowering reads one argument (or the receiver) of a mapped member.</summary>
internal enum ArgRole
{
    /// <summary>A tensor value: becomes a node argument.</summary>
    Tensor,

    /// <summary>A .NET number (constant, config value or arithmetic on those): becomes a node argument.</summary>
    Number,

    /// <summary>A constant dimension: the node's <c>Dim</c>.</summary>
    Dim,

    /// <summary>A constant one-element dimension array (<c>mean(new long[] { 1 })</c>): the node's <c>Dim</c>.</summary>
    DimArray,

    /// <summary>A constant <c>keepdim</c> flag.</summary>
    KeepDim,

    /// <summary>A constant dtype (<c>float32</c>, <c>ScalarType.Float64</c>, …): a cast's target.</summary>
    DType,

    /// <summary>Must be left at its default (e.g. <c>inplace</c>, <c>softplus</c>'s <c>beta</c>).</summary>
    Default,
}

/// <summary>A TorchSharp member the lowering maps to a graph op.</summary>
/// <param name="Op">The op in the runtime's table (<c>Mint.Dsl.Graphs.GraphOps</c>).</param>
/// <param name="Roles">The receiver's role (instance members) followed by each parameter's.</param>
/// <param name="Key">A fixed cast target (<c>float()</c> → <c>float32</c>), else null.</param>
internal sealed record TorchOp(string Op, ArgRole[] Roles, string? Key = null);

/// <summary>
/// The lowering's allow-list: TorchSharp members keyed by metadata name and parameter types (as
/// <see cref="Signature"/> writes them), each mapped to a portable graph op with the role of each
/// argument. Anything not in this table keeps a loss on the client.
/// </summary>
internal static class TorchOps
{
    private const string Tensor = "TorchSharp.torch+Tensor";
    private const string Scalar = "TorchSharp.Scalar";
    private const string Torch = "TorchSharp.torch";
    private const string Functional = "TorchSharp.torch+nn+functional";
    private const string ScalarType = "TorchSharp.torch+ScalarType";
    private const string OptionalScalarType = "System.Nullable`1[TorchSharp.torch+ScalarType]";
    private const string Long = "System.Int64";
    private const string Bool = "System.Boolean";
    private const string Double = "System.Double";

    private static readonly string[] NumberTypes = [Scalar, "System.Int32", Long, "System.Single", Double];

    private static readonly Dictionary<string, TorchOp> Table = Build();

    /// <summary>The TorchSharp fields that name a dtype, by field name, with the cast target they mean.</summary>
    public static IReadOnlyDictionary<string, string> DTypeFields { get; } = new Dictionary<string, string>
    {
        ["float32"] = "float32",
        ["float"] = "float32",
        ["float64"] = "float64",
        ["double"] = "float64",
        ["int64"] = "int64",
        ["long"] = "int64",
        ["bool"] = "bool",
    };

    /// <summary>The <c>ScalarType</c> enum members that name a dtype, by value, with the cast target they mean.</summary>
    public static IReadOnlyDictionary<int, string> DTypeValues { get; } = new Dictionary<int, string>
    {
        [6] = "float32",
        [7] = "float64",
        [4] = "int64",
        [11] = "bool",
    };

    /// <summary>The mapping of <paramref name="method"/>, or null when it is not in the op set.</summary>
    public static TorchOp? Find(IMethodSymbol method) => Table.TryGetValue(Signature(method), out var op) ? op : null;

    /// <summary>True for a member of TorchSharp (as opposed to .NET or user code).</summary>
    public static bool IsTorchSharp(ISymbol symbol) => symbol.ContainingAssembly?.Name == "TorchSharp";

    /// <summary><c>Type.Member(ParameterType, …)</c> with metadata names: <c>TorchSharp.torch+Tensor.sum(System.Int64, System.Boolean, …)</c>.</summary>
    public static string Signature(IMethodSymbol method) =>
        MetadataName(method.ContainingType) + "." + method.Name + "(" + string.Join(", ", method.Parameters.Select(parameter => MetadataName(parameter.Type))) + ")";

    private static string MetadataName(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => MetadataName(array.ElementType) + "[]",
        INamedTypeSymbol { IsGenericType: true } generic => PlainName(generic) + "[" + string.Join(",", generic.TypeArguments.Select(MetadataName)) + "]",
        _ => PlainName(type),
    };

    /// <summary>A type's metadata name with its namespace, nested types joined by '+': <c>TorchSharp.torch+Tensor</c>.</summary>
    public static string PlainName(ITypeSymbol type) => type.ContainingType is { } outer
        ? PlainName(outer) + "+" + type.MetadataName
        : (type.ContainingNamespace is null || type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString() + ".") + type.MetadataName;

    private static Dictionary<string, TorchOp> Build()
    {
        var table = new Dictionary<string, TorchOp>();
        void Add(string type, string member, string op, (string Type, ArgRole Role)[] parameters, bool instance, string? key = null) =>
            table[$"{type}.{member}({string.Join(", ", parameters.Select(parameter => parameter.Type))})"] =
                new TorchOp(op, (instance ? new[] { ArgRole.Tensor } : []).Concat(parameters.Select(parameter => parameter.Role)).ToArray(), key);

        var t = (Tensor, ArgRole.Tensor);
        var s = (Scalar, ArgRole.Number);

        // Elementwise functions: Tensor.exp() and torch.exp(Tensor) alike.
        foreach (var name in new[] { "exp", "log", "log1p", "expm1", "sigmoid", "tanh", "abs", "square", "sqrt" })
        {
            Add(Tensor, name, name, [], instance: true);
            Add(Torch, name, name, [t], instance: false);
        }

        Add(Tensor, "relu", "relu", [], instance: true);
        Add(Tensor, "neg", "neg", [], instance: true);
        Add(Tensor, "detach", "detach", [], instance: true);
        Add(Tensor, "log_sigmoid", "logsigmoid", [], instance: true);
        Add(Tensor, "softplus", "softplus", [(Double, ArgRole.Default), (Double, ArgRole.Default)], instance: true);
        Add(Functional, "logsigmoid", "logsigmoid", [t], instance: false);
        Add(Functional, "sigmoid", "sigmoid", [t], instance: false);
        Add(Functional, "relu", "relu", [t, (Bool, ArgRole.Default)], instance: false);
        Add(Functional, "tanh", "tanh", [t, (Bool, ArgRole.Default)], instance: false);
        Add(Functional, "softplus", "softplus", [t, (Double, ArgRole.Default), (Double, ArgRole.Default)], instance: false);

        // Numbers as arguments.
        Add(Tensor, "pow", "pow", [s], instance: true);
        Add(Torch, "pow", "pow", [t, s], instance: false);
        Add(Tensor, "clamp", "clamp", [s, s], instance: true);
        Add(Torch, "clamp", "clamp", [t, s, s], instance: false);
        Add(Tensor, "clamp_min", "clamp_min", [s], instance: true);
        Add(Tensor, "clamp_max", "clamp_max", [s], instance: true);

        // Two or three tensors.
        foreach (var name in new[] { "minimum", "maximum" })
        {
            Add(Tensor, name, name, [t], instance: true);
            Add(Torch, name, name, [t, t], instance: false);
        }

        Add(Torch, "where", "where", [t, t, t], instance: false);

        // Reductions.
        var dtype = (OptionalScalarType, ArgRole.Default);
        var keep = (Bool, ArgRole.KeepDim);
        Add(Tensor, "sum", "sum", [dtype], instance: true);
        Add(Tensor, "sum", "sum", [(Long, ArgRole.Dim), keep, dtype], instance: true);
        Add(Torch, "sum", "sum", [t, dtype], instance: false);
        Add(Torch, "sum", "sum", [t, (Long, ArgRole.Dim), keep, dtype], instance: false);
        Add(Tensor, "mean", "mean", [], instance: true);
        Add(Tensor, "mean", "mean", [("System.Int64[]", ArgRole.DimArray), keep, dtype], instance: true);
        Add(Torch, "mean", "mean", [t], instance: false);
        Add(Torch, "mean", "mean", [t, ("System.Int64[]", ArgRole.DimArray), keep, dtype], instance: false);

        Add(Tensor, "logsumexp", "logsumexp", [(Long, ArgRole.Dim), keep], instance: true);
        Add(Torch, "logsumexp", "logsumexp", [t, (Long, ArgRole.Dim), keep], instance: false);

        // Casts.
        var flag = (Bool, ArgRole.Default);
        Add(Tensor, "to", "cast", [(ScalarType, ArgRole.DType), flag, flag, flag], instance: true);
        Add(Tensor, "to_type", "cast", [(ScalarType, ArgRole.DType), flag, flag, flag], instance: true);
        Add(Tensor, "type", "cast", [(ScalarType, ArgRole.DType)], instance: true);
        Add(Tensor, "float", "cast", [], instance: true, key: "float32");
        Add(Tensor, "double", "cast", [], instance: true, key: "float64");

        // Operators: tensor with tensor, and tensor with a number on either side.
        foreach (var (member, op) in new[] { ("op_Addition", "add"), ("op_Subtraction", "sub"), ("op_Multiply", "mul"), ("op_Division", "div") })
        {
            Add(Tensor, member, op, [t, t], instance: false);
            foreach (var number in NumberTypes)
            {
                Add(Tensor, member, op, [t, (number, ArgRole.Number)], instance: false);
                Add(Tensor, member, op, [(number, ArgRole.Number), t], instance: false);
            }
        }

        foreach (var (member, op) in new[] { ("op_GreaterThan", "gt"), ("op_LessThan", "lt"), ("op_GreaterThanOrEqual", "ge"), ("op_LessThanOrEqual", "le") })
        {
            Add(Tensor, member, op, [t, t], instance: false);
            Add(Tensor, member, op, [t, s], instance: false);
            Add(Tensor, member, op, [s, t], instance: false);
        }

        Add(Tensor, "op_UnaryNegation", "neg", [t], instance: false);
        return table;
    }
}
