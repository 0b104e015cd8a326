namespace Mint.Dsl.Graphs;

/// <summary>
/// How many values a loss input holds per datum, beyond the batch: a graph input of rank r is a
/// <c>[datums, …]</c> tensor with r more dimensions.
/// </summary>
public enum InputRank
{
    /// <summary>One value per datum (e.g. a reference model's sequence log-prob): <c>[datums]</c>.</summary>
    PerDatum = 0,

    /// <summary>One value per model-input position (the default): <c>[datums, tokens]</c>.</summary>
    PerToken = 1,

    /// <summary>K values per position (multi-target): <c>[datums, tokens, K]</c>.</summary>
    KPerToken = 2,
}
