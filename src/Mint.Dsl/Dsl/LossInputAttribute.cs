using System;

namespace Mint.Dsl;

/// <summary>
/// Binds a tensor parameter to a <c>loss_fn_inputs</c> key other than its snake_case name,
/// or with a dtype other than the default (<c>int64</c> for <c>target_tokens</c>, else <c>float32</c>).
/// </summary>
/// <param name="key">The <c>loss_fn_inputs</c> key.</param>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class LossInputAttribute(string key) : Attribute
{
    /// <summary>The <c>loss_fn_inputs</c> key.</summary>
    public string Key { get; } = key;

    /// <summary>The dtype the datum must carry for this key.</summary>
    public TensorDType DType { get; set; } = TensorDType.Float32;
}
