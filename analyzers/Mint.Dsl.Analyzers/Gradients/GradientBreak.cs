using Microsoft.CodeAnalysis;

namespace Mint.Dsl.Analyzers.Gradients;

/// <summary>How an operation stops the gradient of the value passing through it.</summary>
internal enum GradientBreakKind
{
    /// <summary>
    /// The value becomes a .NET value (<c>item&lt;T&gt;()</c>, <c>ToSingle()</c>, <c>data&lt;T&gt;()</c>, a cast):
    /// almost always a mistake in a loss, so it is reported wherever it feeds the loss (MINT012).
    /// </summary>
    LeavesGraph,

    /// <summary>
    /// An explicit stop-gradient (<c>detach()</c>, a <c>torch.no_grad()</c> scope): a legitimate tool
    /// (CISPO holds its clipped ratio constant with it), reported only when it leaves the loss with
    /// no path to the log-probs at all (MINT013).
    /// </summary>
    StopsGradient,
}

/// <summary>An operation that stops the gradient of a value computed from the log-probs.</summary>
/// <param name="Site">The operation to squiggle: the call, the cast, or the <c>no_grad()</c> that opens the scope.</param>
/// <param name="Kind">How it stops the gradient.</param>
internal sealed record GradientBreak(IOperation Site, GradientBreakKind Kind);
