namespace Mint.Dsl;

/// <summary>The floating-point precision a custom loss is computed in on the client.</summary>
public enum LossPrecision
{
    /// <summary>32-bit floats (the default): log-probs, inputs and gradients in float32.</summary>
    Float32,

    /// <summary>64-bit floats: for gradient checks, or losses that cancel large terms.</summary>
    Float64,
}
