namespace Mint.Engine.Tests.Support;

/// <summary>
/// A LoRA on the output head for <see cref="ReferenceDecoder"/>, float64, row-major:
/// <paramref name="A"/> <c>[rank, hidden]</c>, <paramref name="B"/> <c>[vocab, rank]</c>.
/// </summary>
internal sealed record ReferenceHeadAdapter(double[] A, double[] B, int Rank, double Scaling);
