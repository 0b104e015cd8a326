using System;
using System.Linq;
using Mint.Engine.Model;
using Xunit;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// Rotary scaling types without a transformers-made model fixture, checked against the formulas of
/// transformers' <c>modeling_rope_utils</c> evaluated independently in float64 (Python, values below).
/// </summary>
public sealed class RotaryFrequenciesTests
{
    private static readonly ModelConfig Qwen = new()
    {
        ModelType = "qwen3", VocabSize = 8, HiddenSize = 64, IntermediateSize = 8, NumHiddenLayers = 1,
        NumAttentionHeads = 2, HeadDimension = 32, MaxPositionEmbeddings = 256, RopeTheta = 1e6,
    };

    // _compute_yarn_parameters for theta 1e6, head_dim 32, factor 4, original context 64: the ramp runs over
    // dimensions [0, 3] when truncated and [0, 2.688] when not.
    private static readonly double[] YarnTruncated = [1.0, 0.316272378, 0.0889139705, 0.0187473552, 0.00790569415, 0.00333380358, 0.00140585331, 0.000592843426, 0.00025, 0.000105424126, 4.44569853e-05, 1.87473552e-05, 7.90569415e-06, 3.33380358e-06, 1.40585331e-06, 5.92843426e-07];
    private static readonly double[] YarnUntruncated = [1.0, 0.304035661, 0.0785936093, 0.0187473552, 0.00790569415, 0.00333380358, 0.00140585331, 0.000592843426, 0.00025, 0.000105424126, 4.44569853e-05, 1.87473552e-05, 7.90569415e-06, 3.33380358e-06, 1.40585331e-06, 5.92843426e-07];

    // _compute_llama3_parameters for theta 5e5, head_dim 16, factor 8, low 1, high 4, original context 64.
    private static readonly double[] Llama3 = [1.0, 0.0794030092, 0.00470075387, 0.000911583092, 0.000176776695, 3.4281022e-05, 6.64786987e-06, 1.28917317e-06];

    private static void AssertRelativelyClose(double[] expected, TorchSharp.torch.Tensor actual)
    {
        var values = actual.to(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        var error = expected.Zip(values, (e, a) => Math.Abs(a - e) / e).Max();
        Assert.True(error < 1e-6, $"max relative error {error:E2}");
    }

    [Fact]
    public void Yarn_blends_interpolation_and_extrapolation_over_the_correction_range()
    {
        var (frequencies, scaling) = RotaryFrequencies.Compute(Qwen with { RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 64 } });

        AssertRelativelyClose(YarnTruncated, frequencies);
        Assert.Equal((0.1 * Math.Log(4)) + 1, scaling, 12);
    }

    [Fact]
    public void Yarn_without_truncation_keeps_the_fractional_range()
    {
        var (frequencies, _) = RotaryFrequencies.Compute(Qwen with { RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 64, Truncate = false } });

        AssertRelativelyClose(YarnUntruncated, frequencies);
    }

    [Fact]
    public void Yarn_attention_factor_comes_from_the_config_or_the_mscales()
    {
        var given = RotaryFrequencies.Compute(Qwen with { RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 64, AttentionFactor = 0.5 } });
        var mscales = RotaryFrequencies.Compute(Qwen with { RopeScaling = new RopeScaling("yarn", 40) { OriginalMaxPositionEmbeddings = 64, Mscale = 0.707, MscaleAllDim = 0.707 } });

        Assert.Equal(0.5, given.AttentionScaling);
        Assert.Equal(1.0, mscales.AttentionScaling, 12);
    }

    [Fact]
    public void Llama3_scaling_divides_long_wavelengths_and_blends_the_middle()
    {
        var llama = Qwen with { ModelType = "llama", HeadDimension = 16, RopeTheta = 5e5, RopeScaling = new RopeScaling("llama3", 8) { LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 64 } };

        AssertRelativelyClose(Llama3, RotaryFrequencies.Compute(llama).InverseFrequency);
    }

    [Fact]
    public void Linear_scaling_divides_every_frequency_by_the_factor()
    {
        var plain = RotaryFrequencies.Compute(Qwen).InverseFrequency;
        var linear = RotaryFrequencies.Compute(Qwen with { RopeScaling = new RopeScaling("linear", 4) }).InverseFrequency;

        Assert.True(TorchSharp.torch.allclose(plain / 4, linear, 0, 0));
    }
}
