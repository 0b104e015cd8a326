using System.Collections.Immutable;

namespace Mint.Dsl.Analyzers.Gradients;

/// <summary>
/// What the dataflow knows about one value: whether a differentiable path leads to it from the
/// log-probs, and which gradient breaks cut the paths that no longer do.
/// </summary>
internal sealed class GradientTrace
{
    private GradientTrace(bool live, ImmutableHashSet<GradientBreak> breaks)
    {
        Live = live;
        Breaks = breaks;
    }

    /// <summary>A value with no relation to the log-probs.</summary>
    public static GradientTrace None { get; } = new(false, ImmutableHashSet<GradientBreak>.Empty);

    /// <summary>The log-probs themselves.</summary>
    public static GradientTrace Logprobs { get; } = new(true, ImmutableHashSet<GradientBreak>.Empty);

    /// <summary>True when the gradient of the log-probs reaches this value.</summary>
    public bool Live { get; }

    /// <summary>The breaks on paths from the log-probs to this value.</summary>
    public ImmutableHashSet<GradientBreak> Breaks { get; }

    public GradientTrace Union(GradientTrace other) =>
        ReferenceEquals(other, None) ? this
        : ReferenceEquals(this, None) ? other
        : new(Live || other.Live, Breaks.Union(other.Breaks));

    /// <summary>The value after <paramref name="site"/>: no longer live; the cut recorded when it was.</summary>
    public GradientTrace CutBy(GradientBreak site) =>
        Live ? new(false, Breaks.Add(site)) : Breaks.IsEmpty ? None : new(false, Breaks);
}
