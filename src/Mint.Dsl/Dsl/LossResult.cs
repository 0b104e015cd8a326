using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace Mint.Dsl;

/// <summary>
/// What a loss method returns: the scalar loss (differentiated) and named metrics (reported, never
/// differentiated). Metrics are added fluently: <c>new LossResult(loss).Metric("acc", acc)</c>.
/// A loss can also be composed of named, weighted terms:
/// <c>new LossResult(nll).Term("kl", kl, weight: 0.1)</c> is the loss <c>nll + 0.1 · kl</c>, and
/// reports <c>terms/base</c> and <c>terms/kl</c> (each term's unweighted value) as metrics.
/// </summary>
public sealed class LossResult
{
    private readonly List<KeyValuePair<string, torch.Tensor>> metrics = [];
    private readonly List<LossTerm> terms = [];
    private torch.Tensor? total;

    /// <summary>Creates a result around a scalar loss tensor (the base loss, when terms are added).</summary>
    public LossResult(torch.Tensor loss)
    {
        BaseLoss = loss ?? throw new ArgumentNullException(nameof(loss));
    }

    /// <summary>The scalar loss: the base loss plus each term's weighted value.</summary>
    public torch.Tensor Loss => terms.Count == 0 ? BaseLoss : total ??= Compose();

    /// <summary>The loss given to the constructor, before any term.</summary>
    public torch.Tensor BaseLoss { get; }

    /// <summary>The terms added to the base loss, in the order they were added.</summary>
    public IReadOnlyList<LossTerm> Terms => terms;

    /// <summary>
    /// The metrics, in the order they were added; with terms, followed by <c>terms/base</c> and
    /// <c>terms/{name}</c> for each term (unweighted values).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, torch.Tensor>> Metrics => terms.Count == 0
        ? metrics
        : metrics
            .Append(new(LossTerm.ValueMetric(LossTerm.BaseName), BaseLoss))
            .Concat(terms.Select(term => new KeyValuePair<string, torch.Tensor>(LossTerm.ValueMetric(term.Name), term.Value)))
            .ToList();

    /// <summary>Adds a metric: a scalar tensor, read after the loss is computed and never differentiated.</summary>
    public LossResult Metric(string name, torch.Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (metrics.Exists(metric => metric.Key == name))
        {
            throw new ArgumentException($"Metric '{name}' was added twice.", nameof(name));
        }

        if (name.StartsWith(LossTerm.MetricPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Metric '{name}': names starting with '{LossTerm.MetricPrefix}' are reserved for loss terms; add it with Term(…) or rename it.", nameof(name));
        }

        metrics.Add(new(name, value));
        return this;
    }

    /// <summary>Adds a metric computed as a .NET number.</summary>
    public LossResult Metric(string name, double value) => Metric(name, torch.tensor(value));

    /// <summary>
    /// Adds <paramref name="weight"/> · <paramref name="value"/> to the loss as the term
    /// <paramref name="name"/> (a regularizer such as a KL to a reference, an entropy bonus or an L2
    /// penalty). The value is differentiated with the loss; its unweighted value is reported as
    /// <c>terms/{name}</c>, and with <see cref="LossComputeOptions.TermGradientNorms"/> the norm of its
    /// weighted gradient with respect to the log-probs as <c>terms/{name}/grad_norm</c>.
    /// </summary>
    public LossResult Term(string name, torch.Tensor value, double weight = 1.0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name == LossTerm.BaseName || name.Contains('/', StringComparison.Ordinal) || terms.Exists(term => term.Name == name))
        {
            throw new ArgumentException($"Term '{name}' is added twice, is '{LossTerm.BaseName}' (the base loss) or contains '/'; give each term its own plain name.", nameof(name));
        }

        if (!double.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"Term '{name}' needs a finite weight.");
        }

        if (value.numel() != 1 || !value.is_floating_point())
        {
            throw new ArgumentException($"Term '{name}' must be a floating-point scalar; it is {value.dtype} [{string.Join(", ", value.shape)}].", nameof(value));
        }

        terms.Add(new LossTerm(name, weight, value));
        total = null;
        return this;
    }

    private torch.Tensor Compose()
    {
        var sum = BaseLoss.reshape([]);
        foreach (var term in terms)
        {
            sum = sum + term.Value.reshape([]).to(BaseLoss.dtype) * term.Weight;
        }

        return sum;
    }
}
