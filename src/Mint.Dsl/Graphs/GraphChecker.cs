using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Mint.Dsl.Graphs;

/// <summary>
/// Checks a loss graph from an untrusted source before anything runs: known ops only, references
/// only to earlier nodes, arity, consistent dtypes and shapes, a floating-point scalar loss, scalar
/// metrics, finite constants and config defaults, a well-formed contract, and the sizes of
/// <see cref="GraphLimits"/>. Every problem is reported, each naming the node (or part) and the rule;
/// a node that reads a rejected one is not checked further.
/// </summary>
public static class GraphChecker
{
    private const string TargetTokensKey = "target_tokens";

    /// <summary>The <see cref="BatchValidationException.Operation"/> of a rejected graph.</summary>
    public static string OperationFor(LossGraph graph) => $"loss graph '{graph?.Name}'";

    /// <summary>Throws one <see cref="BatchValidationException"/> listing every problem; returns when the graph is sound.</summary>
    public static void Check(LossGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var violations = Problems(graph);
        if (violations.Count > 0)
        {
            throw new BatchValidationException(OperationFor(graph), violations);
        }
    }

    /// <summary>Every problem with <paramref name="graph"/>; empty when it is sound.</summary>
    public static List<BatchViolation> Problems(LossGraph graph)
    {
        var problems = new List<BatchViolation>();
        void Report(string part, string rule, string message) => problems.Add(new(null, part, $"{rule}: {message}"));

        CheckContract(graph, Report);
        CheckConfigBounds(graph, Report);
        var nodes = graph.Nodes ?? [];
        if (nodes.Count == 0 || nodes.Count > GraphLimits.MaxNodes)
        {
            Report("nodes", "size limit", $"the graph has {nodes.Count} nodes; it needs 1 to {GraphLimits.MaxNodes}.");
            return problems;
        }

        if (problems.Count > 0)
        {
            // Node types depend on the inputs and config; with those broken, stop here.
            return problems;
        }

        var scope = new GraphCheckScope(graph);
        var types = new ValueInfo?[nodes.Count];
        var depths = new int[nodes.Count];
        var differentiable = new bool[nodes.Count];
        for (var index = 0; index < nodes.Count; index++)
        {
            var part = NodeName(index, nodes[index]);
            try
            {
                (types[index], depths[index]) = CheckNode(scope, nodes, index, types, depths);
                differentiable[index] = Differentiable(nodes[index], types[index]!, differentiable);
            }
            catch (GraphRuleException error)
            {
                Report(part, error.Rule, error.Message);
            }
            catch (UpstreamRejected)
            {
                // Already reported where it started.
            }
        }

        CheckOutput("loss", graph.Loss, types, Report, loss: true);
        if (graph.Loss >= 0 && graph.Loss < nodes.Count && types[graph.Loss] is not null && !differentiable[graph.Loss])
        {
            Report("loss", "gradient", $"%{graph.Loss} does not depend on the target log-probs through differentiable ops, so it has no gradient to train on.");
        }
        var metrics = graph.Metrics ?? [];
        if (metrics.Count > GraphLimits.MaxEntries)
        {
            Report("metrics", "size limit", $"{metrics.Count} metrics; at most {GraphLimits.MaxEntries}.");
            return problems;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (metric is null || !ValidName(metric.Name) || metric.Name == ForwardBackwardResult.LossMetric || !seen.Add(metric.Name))
            {
                Report("metrics", "metric", $"metric name '{metric?.Name}' is empty, too long, '{ForwardBackwardResult.LossMetric}' or given twice.");
                continue;
            }

            CheckOutput("metric " + metric.Name, metric.Node, types, Report, loss: false);
        }

        CheckTerms(graph.Terms ?? [], types, Report);
        return problems;
    }

    /// <summary>
    /// Config ranges and orders as the generator emits them: finite bounds with min ≤ max, a default
    /// inside its range, and orders of two or more declared keys.
    /// </summary>
    private static void CheckConfigBounds(LossGraph graph, Action<string, string, string> report)
    {
        var config = graph.Config ?? [];
        foreach (var spec in config)
        {
            if (spec is null)
            {
                continue;
            }

            if ((spec.Min is double min && !double.IsFinite(min)) || (spec.Max is double max && !double.IsFinite(max)))
            {
                report("config", "config range", $"config '{spec.Key}' has a bound that is not finite.");
            }
            else if (spec.Min > spec.Max)
            {
                report("config", "config range", FormattableString.Invariant($"config '{spec.Key}' has min {spec.Min} above max {spec.Max}."));
            }
            else if (spec.DefaultValue is double value && (value < spec.Min || value > spec.Max))
            {
                report("config", "config range", FormattableString.Invariant($"config '{spec.Key}' defaults to {value}, outside [{spec.Min}, {spec.Max}]."));
            }
        }

        var orders = graph.ConfigOrders ?? [];
        if (orders.Count > GraphLimits.MaxEntries)
        {
            report("config", "size limit", $"{orders.Count} config orders; at most {GraphLimits.MaxEntries}.");
            return;
        }

        var keys = config.Where(spec => spec is not null).Select(spec => spec.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            if (order is null || order.Count < 2 || order.Count > GraphLimits.MaxEntries || order.Any(key => key is null || !keys.Contains(key)))
            {
                report("config", "config order", $"order [{string.Join(", ", order ?? [])}] must name two or more declared config keys.");
            }
        }
    }

    private static (ValueInfo Type, int Depth) CheckNode(GraphCheckScope scope, IReadOnlyList<GraphNode> nodes, int index, ValueInfo?[] types, int[] depths)
    {
        var node = nodes[index] ?? throw new GraphRuleException("known op", "the node is empty.");
        if (node.Op is null || !GraphOps.TryGet(node.Op, out var spec))
        {
            throw new GraphRuleException("known op", $"'{node.Op}' is not an op of this server; the ops are: {string.Join(", ", GraphOps.Names)}.");
        }

        if (node.Args is null)
        {
            throw new GraphRuleException("arity", "the node has no argument list.");
        }

        var args = node.Args;
        if (args.Count != spec.Arity)
        {
            throw new GraphRuleException("arity", $"{node.Op} takes {spec.Arity} argument{(spec.Arity == 1 ? string.Empty : "s")}; it has {args.Count}.");
        }

        if (node.Key is { Length: > GraphLimits.MaxNameLength })
        {
            throw new GraphRuleException("size limit", $"its key is longer than {GraphLimits.MaxNameLength} characters.");
        }

        if ((node.Value is not null && node.Op != "const") || (node.Dim is not null && node.Op is not ("sum" or "mean" or "logsumexp"))
            || (node.KeepDim && node.Op is not ("sum" or "mean" or "logsumexp")) || (node.Key is not null && node.Op is not ("input" or "config" or "cast")))
        {
            throw new GraphRuleException("attributes", $"{node.Op} takes no such attribute (value, dim, keepdim or key).");
        }

        var argTypes = new ValueInfo[args.Count];
        var depth = 1;
        for (var position = 0; position < args.Count; position++)
        {
            var arg = args[position];
            if (arg < 0 || arg >= index)
            {
                throw new GraphRuleException("references", $"argument {position} refers to %{arg}; a node reads only earlier nodes (%0 to %{index - 1}).");
            }

            argTypes[position] = types[arg] ?? throw new UpstreamRejected();
            depth = Math.Max(depth, depths[arg] + 1);
        }

        if (depth > GraphLimits.MaxDepth)
        {
            throw new GraphRuleException("size limit", $"it sits {depth} nodes deep; at most {GraphLimits.MaxDepth}.");
        }

        return (spec.Infer(scope, node, argTypes), depth);
    }

    /// <summary>Whether a node's value carries a gradient from the target log-probs.</summary>
    private static bool Differentiable(GraphNode node, ValueInfo type, bool[] differentiable)
    {
        if (type.IsNumber || type.Category != ValueCategory.Float)
        {
            return false;
        }

        return node.Op switch
        {
            "input" => node.Key == LossGraph.TargetLogprobsKey,
            "detach" => false,
            // The condition of where selects; only the branches carry gradient.
            "where" => differentiable[node.Args[1]] || differentiable[node.Args[2]],
            _ => node.Args.Any(arg => differentiable[arg]),
        };
    }

    private static void CheckOutput(string part, int node, ValueInfo?[] types, Action<string, string, string> report, bool loss)
    {
        if (node < 0 || node >= types.Length)
        {
            report(part, "references", $"refers to %{node}, which the graph does not have.");
            return;
        }

        if (types[node] is not ValueInfo type)
        {
            report(part, "references", $"refers to %{node}, which was rejected.");
            return;
        }

        if (loss && (type.IsNumber || type.Category != ValueCategory.Float || !type.IsScalar))
        {
            report(part, "scalar loss", $"%{node} is a {type}; the loss must be a floating-point scalar tensor computed from the inputs.");
        }
        else if (!loss && !type.IsScalar)
        {
            report(part, "scalar metric", $"%{node} is a {type}; a metric must be a scalar.");
        }
    }

    private static void CheckContract(LossGraph graph, Action<string, string, string> report)
    {
        if (!ValidName(graph.Name))
        {
            report("name", "name", "the loss needs a name of 1 to 128 characters.");
        }

        if (!Enum.IsDefined(graph.Layout))
        {
            report("layout", "layout", $"layout {(int)graph.Layout} is unknown.");
        }

        var inputs = graph.Inputs ?? [];
        if (inputs.Count == 0 || inputs.Count > GraphLimits.MaxEntries + 1)
        {
            report("inputs", "size limit", $"the graph declares {inputs.Count} inputs; it needs the target log-probs and at most {GraphLimits.MaxEntries} more.");
            return;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < inputs.Count; index++)
        {
            var input = inputs[index];
            var part = $"inputs[{index}]";
            if (input is null || !ValidName(input.Key) || !keys.Add(input.Key))
            {
                report(part, "input", $"input key '{input?.Key}' is empty, too long or declared twice.");
                continue;
            }

            if ((index == 0) != (input.Key == LossGraph.TargetLogprobsKey))
            {
                report(part, "input", $"the target log-probs ('{LossGraph.TargetLogprobsKey}') come first, and only there.");
            }

            if (!Enum.IsDefined(input.DType) || (index == 0 && input.DType != TensorDType.Float32))
            {
                report(part, "dtype", $"input '{input.Key}' has dtype {(int)input.DType}; inputs are float32, int64 or float64, the log-probs float32.");
            }

            if (!Enum.IsDefined(input.Rank) || (index == 0 && input.Rank == InputRank.PerDatum))
            {
                report(part, "rank", $"input '{input.Key}' has rank {(int)input.Rank}; inputs are per datum (0), per token (1) or K per token (2), the log-probs per token or K per token.");
            }
        }

        var logprobsRank = inputs[0]?.Rank ?? InputRank.PerToken;
        var targets = inputs.FirstOrDefault(input => input is { Key: TargetTokensKey });
        if (targets is not { DType: TensorDType.Int64 })
        {
            report("inputs", "input", $"the inputs must declare '{TargetTokensKey}' (int64): the engine computes the target log-probs from it.");
        }
        else if (targets.Rank != logprobsRank)
        {
            report("inputs", "rank", $"'{TargetTokensKey}' has rank {(int)targets.Rank} but the log-probs rank {(int)logprobsRank}: the engine computes one log-prob per target.");
        }

        if (logprobsRank != InputRank.KPerToken && inputs.Any(input => input?.Rank == InputRank.KPerToken))
        {
            report("inputs", "rank", "an input is K per token (rank 2) but the log-probs are not: K is the number of candidate targets, so only a multi-target loss has one.");
        }

        var config = graph.Config ?? [];
        if (config.Count > GraphLimits.MaxEntries)
        {
            report("config", "size limit", $"{config.Count} config entries; at most {GraphLimits.MaxEntries}.");
            return;
        }

        var configKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in config)
        {
            if (spec is null || !ValidName(spec.Key) || !configKeys.Add(spec.Key) || !Enum.IsDefined(spec.Type))
            {
                report("config", "config", $"config '{spec?.Key}' is empty, too long, of an unknown type or declared twice.");
            }
            else if (spec.DefaultValue is double value && !double.IsFinite(value))
            {
                report("config", "finite constant", $"config '{spec.Key}' defaults to {value}; defaults must be finite.");
            }
        }
    }

    /// <summary>Each term as <see cref="LossResult.Term"/> accepts it: a plain unique name, a floating-point scalar value, a number weight.</summary>
    private static void CheckTerms(IReadOnlyList<GraphTerm> terms, ValueInfo?[] types, Action<string, string, string> report)
    {
        if (terms.Count > GraphLimits.MaxEntries)
        {
            report("terms", "size limit", $"{terms.Count} terms; at most {GraphLimits.MaxEntries}.");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            if (term is null || !ValidName(term.Name) || term.Name == LossTerm.BaseName || term.Name.Contains('/', StringComparison.Ordinal) || !seen.Add(term.Name))
            {
                report("terms", "term", $"term name '{term?.Name}' is empty, too long, '{LossTerm.BaseName}', contains '/' or is given twice.");
                continue;
            }

            var part = "term " + term.Name;
            CheckOutput(part, term.Node, types, report, loss: false);
            if (term.Node >= 0 && term.Node < types.Length && types[term.Node] is { } value && (value.IsNumber || value.Category != ValueCategory.Float))
            {
                report(part, "scalar term", $"%{term.Node} is a {value}; a term is a floating-point scalar tensor.");
            }

            if (term.Weight < 0 || term.Weight >= types.Length || types[term.Weight] is not { IsNumber: true })
            {
                report(part, "term weight", $"its weight %{term.Weight} is not a number node (a constant or a config value).");
            }
        }
    }

    private static bool ValidName(string? name) => !string.IsNullOrEmpty(name) && name.Length <= GraphLimits.MaxNameLength;

    private static string NodeName(int index, GraphNode? node) =>
        "%" + index.ToString(CultureInfo.InvariantCulture) + (node?.Op is { Length: > 0 and <= GraphLimits.MaxNameLength } op ? $" ({op})" : string.Empty);

    /// <summary>A node reads one that was rejected: reported once, where it started.</summary>
    private sealed class UpstreamRejected : Exception;
}
