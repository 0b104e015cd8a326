using System.Linq;
using Xunit;

namespace Mint.Dsl.Tests.Validation;

/// <summary>A validation report lists its violations in batch order, and its message stays bounded however many there are.</summary>
public sealed class ValidationReportTests
{
    [Fact]
    public void Violations_are_in_batch_order_whatever_order_the_checks_found_them()
    {
        var error = new BatchValidationException("forward", [
            new(2, "weights", "late"),
            new(0, "model_input", "model-side"),
            new(null, "beta", "config"),
            new(0, "weights", "contract"),
            new(1, null, "middle"),
        ]);

        Assert.Equal(["config", "model-side", "contract", "middle", "late"], error.Violations.Select(violation => violation.Reason));
    }

    [Fact]
    public void A_huge_report_lists_the_first_violations_and_counts_them_all()
    {
        var violations = Enumerable.Range(0, 250_000).Select(index => new BatchViolation(index, null, "the model input has no tokens.")).ToList();
        var error = new BatchValidationException("forward", violations);

        Assert.Equal(250_000, error.TotalCount);
        Assert.Equal(250_000, error.Violations.Count);
        Assert.StartsWith("Invalid input for forward (250000 problems; the first 100 follow):\n  - datum 0: the model input has no tokens.", error.Message);
        Assert.EndsWith("  - datum 99: the model input has no tokens.", error.Message);
        Assert.True(error.Message.Length < 10_000, $"the message is {error.Message.Length} characters");
    }

    [Fact]
    public void A_report_rebuilt_from_its_first_violations_keeps_the_total()
    {
        var error = new BatchValidationException("forward", [new(0, null, "bad")], totalCount: 7);

        Assert.Equal(7, error.TotalCount);
        Assert.Equal("Invalid input for forward (7 problems; the first 1 follow):\n  - datum 0: bad", error.Message);
    }
}
