using System;

namespace Mint.Dsl;

/// <summary>What a checkpoint folder holds.</summary>
public enum CheckpointKind
{
    /// <summary>Adapters, optimizer moments and step (<c>SaveStateAsync</c>); a training session resumes from it.</summary>
    Training,

    /// <summary>Adapter weights only, in the PEFT layout (<c>SaveWeightsForSamplerAsync</c>); a sampling client or another tool loads it.</summary>
    SamplerWeights,
}

/// <summary>A saved checkpoint (the Python SDK's <c>Checkpoint</c>).</summary>
/// <param name="Name">The name it was saved under.</param>
/// <param name="Kind">Training state or sampler weights.</param>
/// <param name="Time">When it was last written (UTC).</param>
/// <param name="SizeBytes">Bytes on disk, all files together.</param>
public sealed record CheckpointInfo(string Name, CheckpointKind Kind, DateTimeOffset Time, long SizeBytes);
