using System;

namespace Mint.Dsl;

/// <summary>
/// Marks the parameter that receives the model's per-token target log-probs, the value the loss is
/// differentiated against. Parameters named <c>logprobs</c> or <c>targetLogprobs</c> are marked implicitly.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class TargetLogprobsAttribute : Attribute
{
}
