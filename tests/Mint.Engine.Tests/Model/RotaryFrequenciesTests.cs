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

    // theta 10, head_dim 32, factor 4, original context 640 (same script as above): the correction range
    // [8, 32.1] is cut at head_dim − 1 = 31; with beta_fast 16 and beta_slow 2 it is [12, 28]; with an
    // original context of 20000 both ends land on 31 and the ramp gets transformers' 0.001 width.
    private static readonly ModelConfig Small = Qwen with { RopeTheta = 10 };
    private static readonly double[] YarnClamped = [1, 0.865964323, 0.749894209, 0.649381632, 0.562341325, 0.486967525, 0.421696503, 0.365174127, 0.316227766, 0.264912334, 0.22167189, 0.185263671, 0.154632992, 0.128885155, 0.107261507, 0.0891190445];
    private static readonly double[] YarnBetas = [1, 0.865964323, 0.749894209, 0.649381632, 0.562341325, 0.486967525, 0.421696503, 0.365174127, 0.316227766, 0.273841963, 0.237137371, 0.205352503, 0.177827941, 0.146774247, 0.12085038, 0.0992390768];
    private static readonly double[] YarnZeroWidth = [1, 0.865964323, 0.749894209, 0.649381632, 0.562341325, 0.486967525, 0.421696503, 0.365174127, 0.316227766, 0.273841963, 0.237137371, 0.205352503, 0.177827941, 0.153992653, 0.133352143, 0.115478198];

    // _compute_llama3_parameters for theta 5e5, head_dim 16, factor 8, low 2, high 4, original context 64:
    // frequency 1's wavelength (32.4) lies between old_context / low (32) and old_context (64).
    private static readonly double[] Llama3LowFactor2 = [1, 0.0242403431, 0.00470075387, 0.000911583092, 0.000176776695, 3.4281022e-05, 6.64786987e-06, 1.28917317e-06];

    [Fact]
    public void Yarn_cuts_the_correction_range_at_the_last_dimension()
    {
        AssertRelativelyClose(YarnClamped, RotaryFrequencies.Compute(Small with { RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 640 } }).InverseFrequency);
    }

    [Fact]
    public void Yarn_takes_beta_fast_and_beta_slow_from_the_config()
    {
        AssertRelativelyClose(YarnBetas, RotaryFrequencies.Compute(Small with { RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 640, BetaFast = 16, BetaSlow = 2 } }).InverseFrequency);
    }

    [Fact]
    public void Yarn_with_an_empty_correction_range_widens_it_instead_of_dividing_by_zero()
    {
        AssertRelativelyClose(YarnZeroWidth, RotaryFrequencies.Compute(Small with { RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 20000 } }).InverseFrequency);
    }

    [Fact]
    public void Yarn_mscales_divide_and_a_factor_of_at_most_one_scales_nothing()
    {
        // get_mscale(4, 1) / get_mscale(4, 0.5) = (0.1·ln 4 + 1) / (0.05·ln 4 + 1); get_mscale(0.5) = 1.
        var ratio = RotaryFrequencies.Compute(Small with { RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 640, Mscale = 1, MscaleAllDim = 0.5 } });
        var shrink = RotaryFrequencies.Compute(Small with { RopeScaling = new RopeScaling("yarn", 0.5) { OriginalMaxPositionEmbeddings = 640 } });

        Assert.Equal(1.0648216253695715, ratio.AttentionScaling, 12);
        Assert.Equal(1.0, shrink.AttentionScaling);
    }

    [Fact]
    public void Llama3_low_frequency_wavelength_is_the_original_context_over_the_low_factor()
    {
        var llama = Qwen with { ModelType = "llama", HeadDimension = 16, RopeTheta = 5e5, RopeScaling = new RopeScaling("llama3", 8) { LowFreqFactor = 2, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 64 } };

        AssertRelativelyClose(Llama3LowFactor2, RotaryFrequencies.Compute(llama).InverseFrequency);
    }

    [Fact]
    public void An_unknown_rope_type_is_refused_by_name()
    {
        var error = Assert.Throws<ModelLoadException>(() => RotaryFrequencies.Compute(Qwen with { RopeScaling = new RopeScaling("dynamic", 2) }));

        Assert.Equal("rope_type \"dynamic\" is not supported.", error.Message);
    }
}
