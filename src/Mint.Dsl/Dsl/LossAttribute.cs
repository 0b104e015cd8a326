using System;

namespace Mint.Dsl;

/// <summary>
/// Marks a <c>static</c> method of a <c>partial</c> type as a loss. The source generator reads the
/// signature as the loss's contract and emits a <see cref="LossDefinition"/> for it, exposed as a
/// static property named after the method with a <c>Loss</c> suffix.
/// </summary>
/// <param name="name">The loss's name, as it appears in logs and on the wire (snake_case by convention).</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LossAttribute(string name) : Attribute
{
    /// <summary>The loss's name.</summary>
    public string Name { get; } = name;

    /// <summary>
    /// When true, the loss must lower to a loss graph so a server can run it inside its own
    /// forward/backward pass: every expression that keeps it on the client is a compile error
    /// (MINT019) instead of an info (MINT018).
    /// </summary>
    public bool RequireServerExecution { get; set; }
}
