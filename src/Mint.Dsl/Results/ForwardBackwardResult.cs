using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>
/// What a forward/backward pass reports, as in the Python SDK: metrics (the summed loss as
/// <c>loss:sum</c>, plus a loss's own metrics) and each datum's <c>loss_fn_outputs</c>
/// (its per-token <c>logprobs</c>).
/// </summary>
/// <param name="Metrics">Metrics by name.</param>
/// <param name="LossFnOutputs">Per datum, in batch order: outputs by key.</param>
public sealed record ForwardBackwardResult(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<IReadOnlyDictionary<string, TensorData>> LossFnOutputs)
{
    /// <summary>The metric under which the summed loss is reported.</summary>
    public const string LossMetric = "loss:sum";

    /// <summary>Where the loss was computed: inside the engine's pass (one call) or on the client (two passes).</summary>
    public LossExecution Execution { get; init; } = LossExecution.InEngine;

    /// <summary>The loss (<c>loss:sum</c>).</summary>
    public double Loss => Metrics[LossMetric];

    /// <summary>Datum <paramref name="index"/>'s per-token target log-probs.</summary>
    public TensorData Logprobs(int index) => LossFnOutputs[index]["logprobs"];
}
