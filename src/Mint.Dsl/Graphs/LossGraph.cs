using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Mint.Dsl.Graphs;

/// <summary>
/// A loss as a portable graph, lowered by the source generator from the loss method's body: the
/// inputs it reads (the model's target log-probs first, then each <c>loss_fn_input</c> with its dtype
/// and rank), its config by key, its nodes in execution order over the closed op set of
/// <see cref="GraphOps"/>, the loss and each metric. A server that accepts the graph rebuilds it
/// from its own op table (after <see cref="GraphChecker"/>) and runs it inside its forward/backward
/// pass. The graph also carries the loss's contract, so a server validates batches as the client does.
/// </summary>
public sealed class LossGraph
{
    /// <summary>The key of input 0, the model's target log-probs.</summary>
    public const string TargetLogprobsKey = "target_logprobs";

    /// <summary>Creates a graph; nothing is checked until <see cref="GraphChecker.Check"/>.</summary>
    public LossGraph(
        string name,
        BatchLayout layout,
        IReadOnlyList<GraphInput> inputs,
        IReadOnlyList<LossConfigSpec> config,
        IReadOnlyList<GraphNode> nodes,
        int loss,
        IReadOnlyList<GraphMetric> metrics,
        IReadOnlyList<GraphTerm>? terms = null,
        IReadOnlyList<IReadOnlyList<string>>? configOrders = null)
    {
        Name = name;
        Layout = layout;
        Inputs = inputs;
        Config = config;
        Nodes = nodes;
        Loss = loss;
        Metrics = metrics;
        Terms = terms ?? [];
        ConfigOrders = configOrders ?? [];
    }

    /// <summary>
    /// The graph of a generated loss: inputs (with their ranks) and config from <paramref name="contract"/>,
    /// the log-probs first with the contract's <see cref="LossContract.LogprobsRank"/>.
    /// </summary>
    public LossGraph(LossContract contract, IReadOnlyList<GraphNode> nodes, int loss, IReadOnlyList<GraphMetric> metrics, IReadOnlyList<GraphTerm>? terms = null)
        : this(
            contract.Name,
            contract.Layout,
            contract.Inputs.Select(input => new GraphInput(input.Key, input.DType, input.Rank))
                .Prepend(new GraphInput(TargetLogprobsKey, TensorDType.Float32, contract.LogprobsRank)).ToList(),
            contract.Config,
            nodes,
            loss,
            metrics,
            terms,
            contract.ConfigOrders)
    {
    }

    /// <summary>The loss's name.</summary>
    public string Name { get; }

    /// <summary>How the batch is laid out.</summary>
    public BatchLayout Layout { get; }

    /// <summary>The inputs: the target log-probs first, then the <c>loss_fn_inputs</c> a batch must carry.</summary>
    public IReadOnlyList<GraphInput> Inputs { get; }

    /// <summary>The <c>loss_fn_config</c> entries.</summary>
    public IReadOnlyList<LossConfigSpec> Config { get; }

    /// <summary>The nodes, in execution order; each reads only earlier ones.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    /// <summary>The index of the node holding the (scalar) loss; with <see cref="Terms"/>, the base loss they are added to.</summary>
    public int Loss { get; }

    /// <summary>Config keys whose values must not decrease in the order given (the contract's <see cref="LossContract.ConfigOrders"/>).</summary>
    public IReadOnlyList<IReadOnlyList<string>> ConfigOrders { get; }

    /// <summary>The weighted terms added to the loss, in the order the loss method adds them (none for most losses).</summary>
    public IReadOnlyList<GraphTerm> Terms { get; }

    /// <summary>The metrics, in the order the loss method adds them.</summary>
    public IReadOnlyList<GraphMetric> Metrics { get; }

    /// <summary>The contract the graph carries: what a batch must hold (the log-probs excluded).</summary>
    public LossContract Contract => new(
        Name,
        Layout,
        Inputs.Skip(1).Select(input => new LossInputSpec(input.Key, input.DType, input.Rank)).ToList(),
        Config,
        ConfigOrders,
        logprobsRank: Inputs.Count > 0 ? Inputs[0].Rank : InputRank.PerToken);

    /// <summary>
    /// The graph as text, one line per input, config entry and node: deterministic, so equal graphs
    /// print equally (snapshots and registration ids rely on it).
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("loss ").Append(Name).Append(Layout == BatchLayout.ChosenRejectedPairs ? " (pairs)" : string.Empty).Append('\n');
        foreach (var input in Inputs ?? [])
        {
            text.Append("input ").Append(input?.Key).Append(": ").Append(input is null ? "?" : DTypeName(input.DType))
                .Append(' ').Append(input is null ? "?" : RankName(input.Rank)).Append('\n');
        }

        foreach (var config in Config ?? [])
        {
            text.Append("config ").Append(config?.Key).Append(": ").Append(config?.Type.ToString().ToLowerInvariant());
            if (config?.DefaultValue is double value)
            {
                text.Append(" = ").Append(value.ToString("R", CultureInfo.InvariantCulture));
            }

            if (config?.Min is not null || config?.Max is not null)
            {
                text.Append(" in [").Append(config.Min?.ToString("R", CultureInfo.InvariantCulture) ?? "-inf")
                    .Append(", ").Append(config.Max?.ToString("R", CultureInfo.InvariantCulture) ?? "inf").Append(']');
            }

            text.Append('\n');
        }

        foreach (var order in ConfigOrders ?? [])
        {
            text.Append("order ").Append(string.Join(" <= ", order ?? [])).Append('\n');
        }

        var index = 0;
        foreach (var node in Nodes ?? [])
        {
            text.Append('%').Append(index++.ToString(CultureInfo.InvariantCulture)).Append(" = ").Append(node).Append('\n');
        }

        text.Append("return %").Append(Loss.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var term in Terms ?? [])
        {
            text.Append("term ").Append(term?.Name).Append(" = %").Append(term?.Node.ToString(CultureInfo.InvariantCulture))
                .Append(" * %").Append(term?.Weight.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        foreach (var metric in Metrics ?? [])
        {
            text.Append("metric ").Append(metric?.Name).Append(" = %").Append(metric?.Node.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static string DTypeName(TensorDType dtype) => Enum.IsDefined(dtype) ? dtype.ToWireName() : "dtype(" + (int)dtype + ")";

    private static string RankName(InputRank rank) => rank switch
    {
        InputRank.PerDatum => "per_datum",
        InputRank.PerToken => "per_token",
        InputRank.KPerToken => "k_per_token",
        _ => "rank(" + (int)rank + ")",
    };
}
