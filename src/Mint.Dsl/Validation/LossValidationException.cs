using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// A batch or loss config broke a loss's contract. Lists every violation found, not just the first;
/// nothing was computed or sent.
/// </summary>
public sealed class LossValidationException : MintException
{
    /// <summary>Creates the exception for <paramref name="lossName"/>.</summary>
    public LossValidationException(string lossName, IReadOnlyList<LossViolation> violations)
        : base(Format(lossName, violations))
    {
        LossName = lossName;
        Violations = violations;
    }

    /// <summary>The loss whose contract was broken.</summary>
    public string LossName { get; }

    /// <summary>Every violation, in batch order.</summary>
    public IReadOnlyList<LossViolation> Violations { get; }

    private static string Format(string lossName, IReadOnlyList<LossViolation> violations)
    {
        var noun = violations.Count == 1 ? "problem" : "problems";
        return $"Invalid input for loss '{lossName}' ({violations.Count} {noun}):"
            + string.Concat(violations.Select(violation => "\n  - " + violation));
    }
}
