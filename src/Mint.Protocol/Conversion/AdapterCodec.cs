using System;
using System.Collections.Generic;
using System.Linq;
using Mint.Dsl;

namespace Mint.Protocol.Conversion;

/// <summary>Adapter weights and checkpoint listings on the wire.</summary>
public static class AdapterCodec
{
    /// <summary>The wire form of adapter weights.</summary>
    public static V1.LoraWeights ToWire(LoraWeights weights)
    {
        var wire = new V1.LoraWeights { Lora = ParamsCodec.ToWire(weights.Lora) };
        wire.Tensors.AddRange(BatchCodec.ToWire(weights.Tensors).Tensors);
        return wire;
    }

    /// <summary>
    /// Adapter weights read from the wire. A malformed tensor (the server receiving an upload) is a
    /// validation error naming the tensor, as a malformed datum is.
    /// </summary>
    public static LoraWeights FromWire(V1.LoraWeights? wire, string operation)
    {
        var violations = new List<BatchViolation>();
        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var named in wire?.Tensors ?? [])
        {
            if (!TensorCodec.TryFromWire(named.Tensor, out var tensor, out var problem))
            {
                violations.Add(new BatchViolation(null, named.Key, problem!));
            }
            else if (!tensors.TryAdd(named.Key, tensor!))
            {
                violations.Add(new BatchViolation(null, named.Key, "is sent twice."));
            }
        }

        return violations.Count == 0
            ? new LoraWeights(ParamsCodec.FromWire(wire?.Lora), tensors)
            : throw new BatchValidationException(operation, violations);
    }

    /// <summary>The wire form of a checkpoint listing.</summary>
    public static V1.ListCheckpointsResponse ToWire(IEnumerable<CheckpointInfo> checkpoints)
    {
        var wire = new V1.ListCheckpointsResponse();
        wire.Checkpoints.AddRange(checkpoints.Select(info => new V1.CheckpointInfo
        {
            Name = info.Name,
            Kind = info.Kind == CheckpointKind.Training ? V1.CheckpointKind.Training : V1.CheckpointKind.SamplerWeights,
            TimeUnixMs = info.Time.ToUnixTimeMilliseconds(),
            SizeBytes = info.SizeBytes,
        }));
        return wire;
    }

    /// <summary>A checkpoint listing read from the wire.</summary>
    public static IReadOnlyList<CheckpointInfo> FromWire(V1.ListCheckpointsResponse wire) => wire.Checkpoints
        .Select(info => new CheckpointInfo(
            info.Name,
            info.Kind switch
            {
                V1.CheckpointKind.Training => CheckpointKind.Training,
                V1.CheckpointKind.SamplerWeights => CheckpointKind.SamplerWeights,
                _ => throw new InvalidOperationException($"The server sent checkpoint '{info.Name}' of unknown kind {info.Kind}."),
            },
            DateTimeOffset.FromUnixTimeMilliseconds(info.TimeUnixMs),
            info.SizeBytes))
        .ToList();
}
