using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// A batch, a loss config or a request broke its contract. Lists every violation found, not just
/// the first; nothing was computed, sent or changed.
/// </summary>
public sealed class BatchValidationException : MintException
{
    /// <summary>Creates the exception for <paramref name="operation"/> (e.g. <c>loss 'ppo'</c>, <c>forward</c>).</summary>
    public BatchValidationException(string operation, IReadOnlyList<BatchViolation> violations)
        : base(Format(operation, violations))
    {
        Operation = operation;
        Violations = violations;
    }

    /// <summary>What was asked for: <c>loss 'ppo'</c>, <c>forward</c>, <c>sample</c>, ….</summary>
    public string Operation { get; }

    /// <summary>Every violation, in batch order.</summary>
    public IReadOnlyList<BatchViolation> Violations { get; }

    /// <summary>The operation name used for a loss's contract.</summary>
    public static string ForLoss(string lossName) => $"loss '{lossName}'";

    private static string Format(string operation, IReadOnlyList<BatchViolation> violations)
    {
        var noun = violations.Count == 1 ? "problem" : "problems";
        return $"Invalid input for {operation} ({violations.Count} {noun}):"
            + string.Concat(violations.Select(violation => "\n  - " + violation));
    }
}
