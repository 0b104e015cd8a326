using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>
/// A loss computed on the client: its value, its metrics, and for each datum the gradient of the
/// loss with respect to that datum's target log-probs (one value per model-input position).
/// </summary>
/// <param name="Loss">The loss value.</param>
/// <param name="Metrics">The loss method's metrics, by name, in the order they were added.</param>
/// <param name="LogprobGradients">dL/dlogprobs per datum, in the compute precision.</param>
public sealed record LossGradient(
    double Loss,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<TensorData> LogprobGradients);
