using System;
using TorchSharp;

namespace Mint.Dsl;

/// <summary>
/// Where and in what precision a custom loss is computed on the client. Set per
/// <c>TrainingClient</c> (its <c>LossOptions</c>) or per call.
/// </summary>
public sealed record LossComputeOptions
{
    private readonly LossPrecision precision = LossPrecision.Float32;

    /// <summary>The device the loss runs on; CPU when null. Checked when the loss runs (a CUDA device needs a CUDA libtorch).</summary>
    public torch.Device? Device { get; init; }

    /// <summary>Floating-point precision of log-probs, inputs and gradients; float32 by default.</summary>
    public LossPrecision Precision
    {
        get => precision;
        init => precision = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Precision), value, $"Precision is {(int)value}; use {string.Join(" or ", Enum.GetNames<LossPrecision>())}.");
    }

    /// <summary>
    /// Also report, for a composed loss (<see cref="LossResult.Term"/>), the L2 norm of each term's
    /// weighted gradient with respect to the log-probs (real positions only) as
    /// <c>terms/{name}/grad_norm</c>, the base loss's as <c>terms/base/grad_norm</c>: which term dominates
    /// the update. Costs one extra backward pass per term.
    /// </summary>
    public bool TermGradientNorms { get; init; }

    /// <summary>CPU, float32.</summary>
    public static LossComputeOptions Default { get; } = new();

    /// <summary>The device name <paramref name="name"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) in these options; a bad or unusable name is an <see cref="ArgumentException"/>.</summary>
    public LossComputeOptions OnDevice(string name) => this with { Device = ComputeDevice.Parse(name, nameof(Device)) };

    /// <summary>The libtorch scalar type of <see cref="Precision"/>.</summary>
    internal torch.ScalarType ScalarType => Precision == LossPrecision.Float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32;
}
