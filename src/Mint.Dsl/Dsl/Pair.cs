namespace Mint.Dsl;

/// <summary>
/// A (chosen, rejected) pair. A loss with <see cref="Pair{T}"/> parameters reads its batch as
/// alternating datums: chosen, rejected, chosen, rejected, …; each tensor is <c>[pairs, tokens]</c>.
/// </summary>
/// <param name="Chosen">Rows of the preferred completions (even batch positions).</param>
/// <param name="Rejected">Rows of the dispreferred completions (odd batch positions).</param>
public readonly record struct Pair<T>(T Chosen, T Rejected);
