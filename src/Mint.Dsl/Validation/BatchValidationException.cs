using System;
using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl;

/// <summary>
/// A batch, a loss config or a request broke its contract. Lists every violation found, not just
/// the first, in batch order; nothing was computed, sent or changed. The message lists the first
/// <see cref="MaxListed"/> and counts the rest, so a huge bad batch gives a bounded report.
/// </summary>
public sealed class BatchValidationException : MintException
{
    /// <summary>How many violations the message (and a server's error trailer) spells out; the rest are counted.</summary>
    public const int MaxListed = 100;

    /// <summary>Creates the exception for <paramref name="operation"/> (e.g. <c>loss 'ppo'</c>, <c>forward</c>).</summary>
    public BatchValidationException(string operation, IReadOnlyList<BatchViolation> violations)
        : this(operation, InBatchOrder(violations), violations.Count)
    {
    }

    /// <summary>
    /// Creates the exception from the first of <paramref name="totalCount"/> violations (already in
    /// batch order), as a client rebuilds a bounded report that crossed the wire.
    /// </summary>
    public BatchValidationException(string operation, IReadOnlyList<BatchViolation> violations, int totalCount)
        : base(Format(operation, violations, Math.Max(totalCount, violations.Count)))
    {
        Operation = operation;
        Violations = violations;
        TotalCount = Math.Max(totalCount, violations.Count);
    }

    /// <summary>What was asked for: <c>loss 'ppo'</c>, <c>forward</c>, <c>sample</c>, ….</summary>
    public string Operation { get; }

    /// <summary>
    /// The violations, in batch order: those about the whole batch or the config first, then by datum.
    /// Every one when thrown in-process; the first <see cref="MaxListed"/> when it came from a server.
    /// </summary>
    public IReadOnlyList<BatchViolation> Violations { get; }

    /// <summary>How many violations were found (at least <see cref="Violations"/>' count).</summary>
    public int TotalCount { get; }

    /// <summary>The operation name used for a loss's contract.</summary>
    public static string ForLoss(string lossName) => $"loss '{lossName}'";

    private static List<BatchViolation> InBatchOrder(IReadOnlyList<BatchViolation> violations) =>
        violations.OrderBy(violation => violation.DatumIndex ?? -1).ToList();

    private static string Format(string operation, IReadOnlyList<BatchViolation> violations, int totalCount)
    {
        var noun = totalCount == 1 ? "problem" : "problems";
        var listed = Math.Min(MaxListed, violations.Count);
        var header = listed < totalCount
            ? $"Invalid input for {operation} ({totalCount} {noun}; the first {listed} follow):"
            : $"Invalid input for {operation} ({totalCount} {noun}):";
        return header + string.Concat(violations.Take(listed).Select(violation => "\n  - " + violation));
    }
}
