using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Client.Tests;

/// <summary>A user's loss declares its config ranges and order in the signature; the generated definition enforces them.</summary>
public static partial class DeclaredRangeTests
{
    /// <summary>A clipped policy gradient whose bounds must satisfy 0 ≤ low ≤ high ≤ 10, with a temperature in (0, 1].</summary>
    [Loss("declared_clip")]
    [LossConfigOrder(nameof(low), nameof(high))]
    public static LossResult DeclaredClip(
        Tensor logprobs,
        Tensor advantages,
        [LossConfig(Min = 0)] double low = 0.5,
        [LossConfig("upper", Min = 0, Max = 10)] double high = 2,
        [LossConfig(Min = 1e-6, Max = 1)] double temperature = 1) =>
        new(-(logprobs.exp().clamp(low, high) * advantages / temperature).sum());

    [Fact]
    public static void Every_declared_range_and_order_is_checked_in_one_report()
    {
        var error = Assert.Throws<BatchValidationException>(() => DeclaredClipLoss.With(low: -1, high: 11, temperature: 0));

        Assert.Equal(
            ["config 'low': is -1; it must be ≥ 0.", "config 'upper': is 11; it must be ≤ 10.", "config 'temperature': is 0; it must be ≥ 1E-06."],
            error.Violations.Select(violation => violation.ToString()));
    }

    [Fact]
    public static void The_order_is_checked_against_the_renamed_key()
    {
        var error = Assert.Throws<BatchValidationException>(() => DeclaredClipLoss.WithConfig(new Dictionary<string, double> { ["low"] = 3, ["upper"] = 2.5 }));

        Assert.Equal("config 'low': is 3, above upper (2.5); it must be ≤ upper.", Assert.Single(error.Violations).ToString());
        Assert.Equal(2.5, DeclaredClipLoss.With(low: 2.5, high: 2.5).Config["upper"]);
    }
}
