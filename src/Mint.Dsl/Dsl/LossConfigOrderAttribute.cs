using System;

namespace Mint.Dsl;

/// <summary>
/// Declares that config parameters of a loss must not decrease in the order given:
/// <c>[LossConfigOrder(nameof(clipLowThreshold), nameof(clipHighThreshold))]</c> requires
/// <c>clip_low_threshold ≤ clip_high_threshold</c>. Checked when the config is bound, with every
/// other config problem in one report; a relation with a required value not yet given waits for it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class LossConfigOrderAttribute(params string[] parameters) : Attribute
{
    /// <summary>The config parameters' C# names, smallest first.</summary>
    public string[] Parameters { get; } = parameters;
}
