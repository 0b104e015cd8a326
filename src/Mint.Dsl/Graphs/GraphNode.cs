using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Mint.Dsl.Graphs;

/// <summary>
/// One step of a loss graph: an operation from the closed op set (see <see cref="GraphOps"/>)
/// applied to the values of earlier nodes. Leaves read an input (<c>input</c>, by
/// <see cref="Key"/>), a config value (<c>config</c>, by <see cref="Key"/>) or a constant
/// (<c>const</c>, <see cref="Value"/>); <c>cast</c> names its target dtype in <see cref="Key"/>;
/// <c>sum</c> and <c>mean</c> reduce over <see cref="Dim"/> (all dimensions when null).
/// </summary>
/// <param name="Op">The operation's name.</param>
/// <param name="Args">Indices of the earlier nodes it reads, in order.</param>
/// <param name="Key">Input key, config key or cast dtype; null for other ops.</param>
/// <param name="Value">The constant of a <c>const</c> node.</param>
/// <param name="Dim">The dimension a reduction runs over; null for all.</param>
/// <param name="KeepDim">Whether a reduction keeps the reduced dimension with size 1.</param>
public sealed record GraphNode(string Op, IReadOnlyList<int> Args, string? Key = null, double? Value = null, int? Dim = null, bool KeepDim = false)
{
    /// <summary>Reads input <paramref name="key"/>.</summary>
    public static GraphNode Input(string key) => new("input", [], Key: key);

    /// <summary>Reads config value <paramref name="key"/>.</summary>
    public static GraphNode Config(string key) => new("config", [], Key: key);

    /// <summary>The constant <paramref name="value"/>.</summary>
    public static GraphNode Constant(double value) => new("const", [], Value: value);

    /// <summary>Operation <paramref name="op"/> over earlier nodes <paramref name="args"/>.</summary>
    public static GraphNode Apply(string op, params int[] args) => new(op, args);

    /// <summary>A <c>sum</c> or <c>mean</c> of node <paramref name="arg"/> over <paramref name="dim"/> (all when null).</summary>
    public static GraphNode Reduce(string op, int arg, int? dim = null, bool keepDim = false) => new(op, [arg], Dim: dim, KeepDim: keepDim);

    /// <summary>Node <paramref name="arg"/> converted to <paramref name="dtype"/> (<c>float32</c>, <c>float64</c>, <c>int64</c>, <c>bool</c>).</summary>
    public static GraphNode Cast(int arg, string dtype) => new("cast", [arg], Key: dtype);

    /// <summary>Compares by content (the record's default compares the argument list by reference).</summary>
    public bool Equals(GraphNode? other) => other is not null
        && Op == other.Op && Key == other.Key && Value.Equals(other.Value) && Dim == other.Dim && KeepDim == other.KeepDim
        && (Args ?? []).SequenceEqual(other.Args ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => (Op, Key, Value, Dim, KeepDim, Args?.Count ?? 0).GetHashCode();

    /// <summary>The node in the graph's text form, without its own index: <c>sum %3 dim=1</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string> { Op ?? "<null>" };
        if (Key is not null)
        {
            parts.Add(Key);
        }

        if (Value is double value)
        {
            parts.Add(value.ToString("R", CultureInfo.InvariantCulture));
        }

        parts.AddRange((Args ?? []).Select(arg => "%" + arg.ToString(CultureInfo.InvariantCulture)));
        if (Dim is int dim)
        {
            parts.Add("dim=" + dim.ToString(CultureInfo.InvariantCulture));
        }

        if (KeepDim)
        {
            parts.Add("keepdim");
        }

        return string.Join(" ", parts);
    }
}
