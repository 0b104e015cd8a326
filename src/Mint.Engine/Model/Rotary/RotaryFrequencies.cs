using System;
using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>
/// The rotary inverse frequencies and the cos/sin multiplier of each supported <c>rope_type</c>,
/// computed step by step as transformers' <c>modeling_rope_utils</c> computes them: in float32, with
/// Python's <c>a / tensor</c> as <c>tensor.reciprocal() * a</c>, so the tables equal transformers' bit for bit.
/// </summary>
internal static class RotaryFrequencies
{
    /// <summary>Inverse frequencies <c>[headDim / 2]</c> (float32) and the attention scaling applied to cos and sin.</summary>
    public static (Tensor InverseFrequency, double AttentionScaling) Compute(ModelConfig config)
    {
        var dim = config.HeadDim;
        var scaling = config.RopeScaling;
        return scaling?.Type switch
        {
            null => (Default(config.RopeTheta, dim), 1.0),
            "linear" => (Default(config.RopeTheta, dim) / scaling.Factor, 1.0),
            "llama3" => (Llama3(Default(config.RopeTheta, dim), scaling), 1.0),
            "yarn" => Yarn(config.RopeTheta, dim, scaling),
            _ => throw new ModelLoadException($"rope_type \"{scaling.Type}\" is not supported."),
        };
    }

    /// <summary><c>1 / base^(2i / dim)</c>.</summary>
    private static Tensor Default(double theta, int dim) => Exponents(theta, dim).reciprocal();

    /// <summary><c>base^(2i / dim)</c> for i in [0, dim / 2).</summary>
    private static Tensor Exponents(double theta, int dim) =>
        pow(tensor(theta, ScalarType.Float32), arange(0, dim, 2, ScalarType.Int64).to(ScalarType.Float32) / dim);

    /// <summary>Llama 3.1: long wavelengths divided by the factor, short ones kept, a smooth blend between.</summary>
    private static Tensor Llama3(Tensor inverseFrequency, RopeScaling scaling)
    {
        double factor = scaling.Factor, low = scaling.LowFreqFactor!.Value, high = scaling.HighFreqFactor!.Value;
        double oldContext = scaling.OriginalMaxPositionEmbeddings!.Value;
        var lowFrequencyWavelength = oldContext / low;
        var highFrequencyWavelength = oldContext / high;

        var wavelength = inverseFrequency.reciprocal() * (2 * Math.PI);
        var scaled = where(wavelength > lowFrequencyWavelength, inverseFrequency / factor, inverseFrequency);
        var smooth = ((wavelength.reciprocal() * oldContext) - low) / (high - low);
        var smoothed = ((1 - smooth) * scaled / factor) + (smooth * scaled);
        var medium = (wavelength < highFrequencyWavelength).logical_not().logical_and((wavelength > lowFrequencyWavelength).logical_not());
        return where(medium, smoothed, scaled);
    }

    /// <summary>YaRN as transformers 5 computes it (explicit factor; attention factor from mscale when not given).</summary>
    private static (Tensor, double) Yarn(double theta, int dim, RopeScaling scaling)
    {
        var factor = scaling.Factor;
        var original = scaling.OriginalMaxPositionEmbeddings!.Value;
        static double MScale(double scale, double m = 1) => scale <= 1 ? 1.0 : (0.1 * m * Math.Log(scale)) + 1.0;
        var attentionFactor = scaling.AttentionFactor
            ?? (scaling.Mscale is { } m && m != 0 && scaling.MscaleAllDim is { } all && all != 0
                ? MScale(factor, m) / MScale(factor, all)
                : MScale(factor));

        // Python's `x or default`: an absent or zero beta takes the paper's default.
        var betaFast = scaling.BetaFast is { } fast && fast != 0 ? fast : 32;
        var betaSlow = scaling.BetaSlow is { } slow && slow != 0 ? slow : 1;
        double CorrectionDim(double rotations) => dim * Math.Log(original / (rotations * 2 * Math.PI)) / (2 * Math.Log(theta));
        double lowDim = CorrectionDim(betaFast), highDim = CorrectionDim(betaSlow);
        if (scaling.Truncate)
        {
            lowDim = Math.Floor(lowDim);
            highDim = Math.Ceiling(highDim);
        }

        lowDim = Math.Max(lowDim, 0);
        highDim = Math.Min(highDim, dim - 1);
        if (lowDim == highDim)
        {
            highDim += 0.001; // transformers' guard against a zero-width ramp
        }

        var ramp = ((arange(dim / 2, ScalarType.Float32) - lowDim) / (highDim - lowDim)).clamp(0, 1);
        var positionFrequencies = Exponents(theta, dim);
        var extrapolation = positionFrequencies.reciprocal();
        var interpolation = (positionFrequencies * factor).reciprocal();
        var extrapolationFactor = 1 - ramp;
        var inverseFrequency = (interpolation * (1 - extrapolationFactor)) + (extrapolation * extrapolationFactor);
        return (inverseFrequency, attentionFactor);
    }
}
