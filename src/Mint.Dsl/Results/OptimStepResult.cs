using System.Collections.Generic;

namespace Mint.Dsl;

/// <summary>The outcome of an optimizer step.</summary>
/// <param name="Step">How many steps the session has taken, this one included.</param>
/// <param name="Metrics">Step metrics: <c>grad_norm</c> (before the update) and <c>learning_rate</c>.</param>
public sealed record OptimStepResult(long Step, IReadOnlyDictionary<string, double> Metrics);
