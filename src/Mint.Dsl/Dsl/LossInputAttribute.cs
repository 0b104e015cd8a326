using System;

namespace Mint.Dsl;

/// <summary>
/// Binds a tensor parameter to a <c>loss_fn_inputs</c> key other than its snake_case name, with a
/// dtype other than the default (<c>int64</c> for <c>target_tokens</c>, else <c>float32</c>), or with
/// a rank other than one value per token (<see cref="Rank"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class LossInputAttribute : Attribute
{
    /// <summary>Binds the parameter under its snake_case name (to set only <see cref="DType"/> or <see cref="Rank"/>).</summary>
    public LossInputAttribute()
    {
    }

    /// <summary>Binds the parameter to <paramref name="key"/>.</summary>
    /// <param name="key">The <c>loss_fn_inputs</c> key.</param>
    public LossInputAttribute(string key)
    {
        Key = key;
    }

    /// <summary>The <c>loss_fn_inputs</c> key, or null for the parameter's snake_case name.</summary>
    public string? Key { get; }

    /// <summary>The dtype the datum must carry for this key.</summary>
    public TensorDType DType { get; set; } = TensorDType.Float32;

    /// <summary>
    /// How many values each datum carries: one per token (the default, <c>[T]</c>), one per datum
    /// (<c>[]</c> or <c>[1]</c>; the loss sees <c>[datums]</c>), or K per token (<c>[T, K]</c>, for
    /// losses whose log-probs are multi-target; the loss sees <c>[datums, tokens, K]</c>).
    /// </summary>
    public InputRank Rank { get; set; } = InputRank.PerToken;
}
