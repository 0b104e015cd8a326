namespace Mint.Dsl;

/// <summary>
/// How many values a loss input holds per datum, part of a loss's contract: a marshalled input of
/// rank r is a <c>[datums, …]</c> tensor with r more dimensions. Declared in the loss's signature
/// (<see cref="LossInputAttribute.Rank"/>, <see cref="TargetLogprobsAttribute.Rank"/>).
/// </summary>
public enum InputRank
{
    /// <summary>
    /// One value per datum (e.g. a reference model's summed log-prob): each datum carries shape
    /// <c>[]</c> or <c>[1]</c>; the loss sees <c>[datums]</c>.
    /// </summary>
    PerDatum = 0,

    /// <summary>One value per model-input position (the default): shape <c>[T]</c>; the loss sees <c>[datums, tokens]</c>.</summary>
    PerToken = 1,

    /// <summary>
    /// K values per position (multi-target <c>target_tokens [T, K]</c>): shape <c>[T, K]</c>, one K for
    /// the whole batch; the loss sees <c>[datums, tokens, K]</c>.
    /// </summary>
    KPerToken = 2,
}
