using TorchSharp;

namespace Mint.Dsl;

/// <summary>Where and in what precision a loss is computed on the client.</summary>
public sealed record LossComputeOptions
{
    /// <summary>The device the loss runs on; CPU when null.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>Floating-point precision of log-probs, inputs and gradients.</summary>
    public torch.ScalarType Precision { get; init; } = torch.ScalarType.Float32;

    /// <summary>
    /// Also report, for a composed loss (<see cref="LossResult.Term"/>), the L2 norm of each term's
    /// weighted gradient with respect to the log-probs (real positions only) as
    /// <c>terms/{name}/grad_norm</c>, the base loss's as <c>terms/base/grad_norm</c>: which term dominates
    /// the update. Costs one extra backward pass per term.
    /// </summary>
    public bool TermGradientNorms { get; init; }

    /// <summary>CPU, float32.</summary>
    public static LossComputeOptions Default { get; } = new();
}
