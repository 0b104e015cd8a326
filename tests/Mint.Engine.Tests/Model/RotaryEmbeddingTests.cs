using System;
using System.Linq;
using Mint.Engine.Model;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// Rotary application against transformers' <c>apply_rotary_pos_emb</c> written out per element in
/// float64: <c>x·cos + rotate_half(x)·sin</c>, with cos and sin of position × frequency scaled by the
/// attention factor (yarn's, here 0.5, so a table that ignored it would show).
/// </summary>
public sealed class RotaryEmbeddingTests
{
    // The yarn frequencies of RotaryFrequenciesTests.Yarn_cuts_the_correction_range_at_the_last_dimension.
    private static readonly double[] Frequencies = [1, 0.865964323, 0.749894209, 0.649381632, 0.562341325, 0.486967525, 0.421696503, 0.365174127, 0.316227766, 0.264912334, 0.22167189, 0.185263671, 0.154632992, 0.128885155, 0.107261507, 0.0891190445];

    private static readonly ModelConfig Config = new()
    {
        ModelType = "qwen3", VocabSize = 8, HiddenSize = 64, IntermediateSize = 8, NumHiddenLayers = 1,
        NumAttentionHeads = 2, HeadDimension = 32, MaxPositionEmbeddings = 64, RopeTheta = 10,
        RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 640, AttentionFactor = 0.5 },
    };

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Each_pair_turns_by_position_times_frequency_scaled_by_the_attention_factor(int offset)
    {
        using var scope = NewDisposeScope();
        const int heads = 2, length = 3, dim = 32, half = dim / 2;
        var values = Enumerable.Range(0, heads * length * dim).Select(index => Math.Sin(index * 0.37) + (0.01 * index)).ToArray();
        var x = tensor(values.Select(value => (float)value).ToArray(), [1, heads, length, dim]);

        var actual = new RotaryEmbedding(Config, CPU).Apply(x, offset).to(ScalarType.Float64).data<double>().ToArray();

        for (var head = 0; head < heads; head++)
        {
            for (var t = 0; t < length; t++)
            {
                var row = ((head * length) + t) * dim;
                for (var d = 0; d < dim; d++)
                {
                    var angle = (offset + t) * Frequencies[d % half];
                    var rotated = d < half ? -(double)(float)values[row + d + half] : (float)values[row + d - half];
                    var expected = 0.5 * (((float)values[row + d] * Math.Cos(angle)) + (rotated * Math.Sin(angle)));
                    Assert.True(Math.Abs(expected - actual[row + d]) < 2e-5, $"head {head}, position {offset + t}, dimension {d}: {actual[row + d]} vs {expected}");
                }
            }
        }
    }
}
