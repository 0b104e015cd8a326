using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Mint.Dsl.Tests.Losses;

/// <summary>
/// The built-ins declare their config ranges in the DSL (clip bounds ≥ 0 with low ≤ high, dro's
/// beta ≥ 0); binding a config outside them is refused at once, every problem in one report.
/// </summary>
public sealed class ConfigRangeTests
{
    [Fact]
    public void Ppo_with_low_above_high_is_refused_naming_both_bounds()
    {
        var error = Assert.Throws<BatchValidationException>(() => LossFn.Ppo(1.2, 0.8));
        Assert.Equal(
            "Invalid input for loss 'ppo' (1 problem):\n  - config 'clip_low_threshold': is 1.2, above clip_high_threshold (0.8); it must be ≤ clip_high_threshold.",
            error.Message);
    }

    [Fact]
    public void A_bound_above_the_other_bounds_default_is_refused_too()
    {
        var error = Assert.Throws<BatchValidationException>(() => LossFn.Ppo(clipLowThreshold: 1.5));
        Assert.Equal("config 'clip_low_threshold': is 1.5, above clip_high_threshold (1.2); it must be ≤ clip_high_threshold.", Assert.Single(error.Violations).ToString());
    }

    [Fact]
    public void Dro_with_a_negative_beta_is_refused()
    {
        var error = Assert.Throws<BatchValidationException>(() => LossFn.Dro(-0.5));
        Assert.Equal("Invalid input for loss 'dro' (1 problem):\n  - config 'beta': is -0.5; it must be ≥ 0.", error.Message);
    }

    [Fact]
    public void Every_config_problem_is_reported_at_once()
    {
        var error = Assert.Throws<BatchValidationException>(() => LossFn.FromName("cispo", new Dictionary<string, double>
        {
            ["clip_low_threshold"] = -1,
            ["clip_high_threshold"] = double.NaN,
            ["epsilon"] = 0.2,
        }));
        Assert.Equal(
            [
                "config 'epsilon': 'cispo' has no such config; it accepts: clip_low_threshold, clip_high_threshold.",
                "config 'clip_low_threshold': is -1; it must be ≥ 0.",
                "config 'clip_high_threshold': is NaN; it must be finite.",
            ],
            error.Violations.Select(violation => violation.ToString()));
    }

    [Fact]
    public void Values_inside_the_ranges_bind()
    {
        Assert.Equal(0.0, LossFn.Cispo(0.0, 0.0).Config["clip_high_threshold"]);
        Assert.Equal(0.0, LossFn.Dro(0.0).Config["beta"]);
        Assert.Equal(0.9, BuiltinLosses.PpoLoss.With(clipLowThreshold: 0.9).Config["clip_low_threshold"]);
    }

    [Fact]
    public void The_contract_carries_the_declared_ranges_and_order()
    {
        var contract = BuiltinLosses.PpoLoss.Contract;
        Assert.Equal(0, contract.Config[0].Min);
        Assert.Null(contract.Config[0].Max);
        Assert.Equal(["clip_low_threshold", "clip_high_threshold"], Assert.Single(contract.ConfigOrders));
        Assert.Equal(0, BuiltinLosses.DroLoss.Contract.Config[0].Min);
    }

    [Fact]
    public void LossFn_prints_its_config_as_a_call()
    {
        Assert.Equal("ppo(clip_low_threshold=0.8, clip_high_threshold=1.3)", LossFn.Ppo(clipHighThreshold: 1.3).ToString());
        Assert.Equal("dro(beta=0.25)", LossFn.Dro(0.25).ToString());
        Assert.Equal("cross_entropy", LossFn.CrossEntropy.ToString());
    }
}
