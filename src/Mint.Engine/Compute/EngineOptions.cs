using System;
using Mint.Dsl;
using static TorchSharp.torch;

namespace Mint.Engine.Compute;

/// <summary>Where and how the engine computes: device, base-weight precision, TF32, memory trade-offs.</summary>
public sealed record EngineOptions
{
    /// <summary>The device the weights, adapters and optimizer state live on; CPU when null.</summary>
    public Device? Device { get; init; }

    /// <summary>The base weights' precision; LoRA and optimizer state stay float32.</summary>
    public WeightPrecision Precision { get; init; } = WeightPrecision.Float32;

    /// <summary>
    /// Lets CUDA run float32 matrix products on TF32 tensor cores (about 2x faster, 10-bit mantissa
    /// inputs). A libtorch setting for the whole process; ignored on CPU.
    /// </summary>
    public bool AllowTf32 { get; init; }

    /// <summary>
    /// Keeps only each layer's input during forward_backward and recomputes the layer during the
    /// backward pass: activation memory drops to one layer's worth plus one tensor per layer, for
    /// about one extra forward pass of time. Gradients are identical.
    /// </summary>
    public bool ActivationCheckpointing { get; init; }

    /// <summary>
    /// Tokens per chunk when target log-probs are computed from the hidden states; null picks a size
    /// that keeps one chunk's float32 logits near 512 MiB. Any size gives the same numbers.
    /// </summary>
    public int? LogprobChunkTokens { get; init; }

    /// <summary>CPU, float32, no checkpointing.</summary>
    public static EngineOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first unusable setting.</summary>
    public void Check()
    {
        if (Device is not null)
        {
            ComputeDevice.Check(Device, nameof(Device));
        }

        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentException($"Precision is {(int)Precision}; use {string.Join(", ", Enum.GetNames<WeightPrecision>())}.", nameof(Precision));
        }

        if (LogprobChunkTokens is < 1)
        {
            throw new ArgumentException($"LogprobChunkTokens is {LogprobChunkTokens}; it must be at least 1 (or null for automatic).", nameof(LogprobChunkTokens));
        }
    }

    /// <summary>Tokens per log-prob chunk for a vocabulary of <paramref name="vocab"/>.</summary>
    internal int ChunkTokens(long vocab) => LogprobChunkTokens ?? (int)Math.Max(1, (1L << 27) / vocab);
}
