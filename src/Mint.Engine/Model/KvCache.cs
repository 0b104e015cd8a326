using System;
using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>
/// Keys and values of the tokens already read, per layer, in buffers sized once for the whole
/// generation, so each new token costs one step and no copy of what came before.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] keys;
    private readonly Tensor?[] values;

    /// <summary>An empty cache for <paramref name="layers"/> layers and up to <paramref name="capacity"/> positions.</summary>
    public KvCache(int layers, int capacity)
    {
        keys = new Tensor?[layers];
        values = new Tensor?[layers];
        Capacity = capacity;
    }

    /// <summary>Number of cached positions.</summary>
    public int Length { get; private set; }

    /// <summary>Most positions the cache holds.</summary>
    public int Capacity { get; }

    /// <summary>Writes this step's keys and values for <paramref name="layer"/>; returns all positions so far.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        var steps = newKeys.shape[2];
        if (Length + steps > Capacity)
        {
            throw new InvalidOperationException($"The KV cache holds {Capacity} positions; {Length + steps} were asked for.");
        }

        keys[layer] ??= Allocate(newKeys);
        values[layer] ??= Allocate(newValues);
        keys[layer]!.narrow(2, Length, steps).copy_(newKeys);
        values[layer]!.narrow(2, Length, steps).copy_(newValues);
        return (keys[layer]!.narrow(2, 0, Length + steps), values[layer]!.narrow(2, 0, Length + steps));
    }

    /// <summary>Marks <paramref name="tokens"/> more positions as cached (after every layer has appended).</summary>
    internal void Advance(int tokens) => Length += tokens;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in keys)
        {
            tensor?.Dispose();
        }

        foreach (var tensor in values)
        {
            tensor?.Dispose();
        }
    }

    private Tensor Allocate(Tensor like) =>
        zeros([like.shape[0], like.shape[1], Capacity, like.shape[3]], like.dtype, like.device).DetachFromDisposeScope();
}
