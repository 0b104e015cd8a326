namespace Mint.Dsl.Graphs;

/// <summary>
/// An input a loss graph reads: the model's target log-probs (always first, key
/// <see cref="LossGraph.TargetLogprobsKey"/>) or a <c>loss_fn_inputs</c> entry.
/// </summary>
/// <param name="Key">The input's key.</param>
/// <param name="DType">The dtype the datum carries (float inputs are computed in the log-probs' precision).</param>
/// <param name="Rank">Values per datum: one, one per token, or K per token.</param>
public sealed record GraphInput(string Key, TensorDType DType, InputRank Rank);
