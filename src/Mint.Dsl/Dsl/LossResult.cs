using System;
using System.Collections.Generic;
using TorchSharp;

namespace Mint.Dsl;

/// <summary>
/// What a loss method returns: the scalar loss (differentiated) and named metrics (reported, never
/// differentiated). Metrics are added fluently: <c>new LossResult(loss).Metric("acc", acc)</c>.
/// </summary>
public sealed class LossResult
{
    private readonly List<KeyValuePair<string, torch.Tensor>> metrics = [];

    /// <summary>Creates a result around a scalar loss tensor.</summary>
    public LossResult(torch.Tensor loss)
    {
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
    }

    /// <summary>The scalar loss.</summary>
    public torch.Tensor Loss { get; }

    /// <summary>The metrics, in the order they were added.</summary>
    public IReadOnlyList<KeyValuePair<string, torch.Tensor>> Metrics => metrics;

    /// <summary>Adds a metric: a scalar tensor, read after the loss is computed and never differentiated.</summary>
    public LossResult Metric(string name, torch.Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (metrics.Exists(metric => metric.Key == name))
        {
            throw new ArgumentException($"Metric '{name}' was added twice.", nameof(name));
        }

        metrics.Add(new(name, value));
        return this;
    }

    /// <summary>Adds a metric computed as a .NET number.</summary>
    public LossResult Metric(string name, double value) => Metric(name, torch.tensor(value));
}
