using System.Collections.Generic;
using System.Linq;

namespace Mint.Dsl.Graphs;

/// <summary>The kind of element a graph value holds.</summary>
internal enum ValueCategory
{
    /// <summary>Floating point (the run's precision, or an explicit cast).</summary>
    Float,

    /// <summary>Integers (int64 inputs, sums of booleans).</summary>
    Integer,

    /// <summary>Booleans (comparisons).</summary>
    Boolean,
}

/// <summary>
/// What the checker knows of a value before anything runs: a .NET number, or a tensor with an element
/// category and a symbolic shape over <c>B</c> (datums), <c>P</c> (pairs), <c>T</c> (tokens),
/// <c>K</c> (targets per token) and <c>1</c>.
/// </summary>
internal sealed record ValueInfo(bool IsNumber, ValueCategory Category, IReadOnlyList<string> Shape)
{
    public static ValueInfo Number { get; } = new(true, ValueCategory.Float, []);

    public static ValueInfo Tensor(ValueCategory category, IEnumerable<string> shape) => new(false, category, shape.ToList());

    public int Rank => Shape.Count;

    /// <summary>Rank 0, or only size-1 dimensions: one element.</summary>
    public bool IsScalar => Shape.All(dim => dim == "1");

    public override string ToString() => IsNumber
        ? "number"
        : $"{Category.ToString().ToLowerInvariant()} tensor [{string.Join(", ", Shape)}]";
}
