using System;

namespace Mint.Dsl;

/// <summary>
/// Declares how a scalar parameter binds to <c>loss_fn_config</c>: a key other than its snake_case
/// name, and the range its value must lie in. <c>[LossConfig(Min = 0)] double beta</c> rejects a
/// negative <c>beta</c> when the config is bound, with every other config problem in one report.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class LossConfigAttribute : Attribute
{
    /// <summary>Keeps the snake_case key; set <see cref="Min"/> / <see cref="Max"/> to bound the value.</summary>
    public LossConfigAttribute()
    {
    }

    /// <summary>Binds the parameter to <paramref name="key"/>.</summary>
    /// <param name="key">The <c>loss_fn_config</c> key.</param>
    public LossConfigAttribute(string key)
    {
        Key = key;
    }

    /// <summary>The <c>loss_fn_config</c> key, or null for the parameter's snake_case name.</summary>
    public string? Key { get; }

    /// <summary>The smallest value accepted (inclusive); unbounded when not set.</summary>
    public double Min { get; set; } = double.NegativeInfinity;

    /// <summary>The largest value accepted (inclusive); unbounded when not set.</summary>
    public double Max { get; set; } = double.PositiveInfinity;
}
