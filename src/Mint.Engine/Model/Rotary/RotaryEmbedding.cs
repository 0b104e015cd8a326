using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>
/// Rotary position embeddings in the Llama convention (the head is split in halves, not interleaved).
/// Cos/sin tables are computed once for the whole context, in float32 as transformers computes them
/// (its float32 and float64 models share these tables), times the rope type's attention scaling.
/// </summary>
internal sealed class RotaryEmbedding
{
    private readonly Tensor cos;
    private readonly Tensor sin;

    public RotaryEmbedding(ModelConfig config, Device device)
    {
        using var scope = NewDisposeScope();
        var (inverseFrequency, attentionScaling) = RotaryFrequencies.Compute(config);
        var angles = outer(arange(config.MaxPositionEmbeddings, ScalarType.Int64).to(ScalarType.Float32), inverseFrequency);
        var table = cat([angles, angles], -1);
        cos = (table.cos() * attentionScaling).to(device).MoveToOuterDisposeScope();
        sin = (table.sin() * attentionScaling).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>Rotates <paramref name="x"/> (<c>[batch, heads, tokens, headDim]</c>) for positions starting at <paramref name="offset"/>.</summary>
    public Tensor Apply(Tensor x, int offset)
    {
        var length = x.shape[2];
        var c = cos.narrow(0, offset, length).to(x.dtype);
        var s = sin.narrow(0, offset, length).to(x.dtype);
        var half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * c) + (rotated * s);
    }
}
