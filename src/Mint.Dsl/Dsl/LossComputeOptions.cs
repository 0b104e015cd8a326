using TorchSharp;

namespace Mint.Dsl;

/// <summary>Where and in what precision a loss is computed on the client.</summary>
public sealed record LossComputeOptions
{
    /// <summary>The device the loss runs on; CPU when null.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>Floating-point precision of log-probs, inputs and gradients.</summary>
    public torch.ScalarType Precision { get; init; } = torch.ScalarType.Float32;

    /// <summary>CPU, float32.</summary>
    public static LossComputeOptions Default { get; } = new();
}
