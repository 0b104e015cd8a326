using System;

namespace Mint.Dsl;

/// <summary>Binds a scalar parameter to a <c>loss_fn_config</c> key other than its snake_case name.</summary>
/// <param name="key">The <c>loss_fn_config</c> key.</param>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class LossConfigAttribute(string key) : Attribute
{
    /// <summary>The <c>loss_fn_config</c> key.</summary>
    public string Key { get; } = key;
}
