using System;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Model;

/// <summary>
/// A low-rank update <c>B·A·scaling</c> to one frozen projection. <c>B</c> starts at zero, so a new
/// adapter leaves the model unchanged; only <c>A</c> and <c>B</c> train.
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    internal LoraAdapter(string name, long inFeatures, long outFeatures, int rank, double alpha, Generator generator, Device device)
    {
        Name = name;
        // Kaiming-uniform bound for A, as PEFT does; B zero.
        var bound = 1.0 / Math.Sqrt(inFeatures);
        A = new Parameter((rand([rank, inFeatures], generator: generator) * 2 - 1).mul_(bound).to(device), requires_grad: true);
        B = new Parameter(zeros([outFeatures, rank], device: device), requires_grad: true);
        Scaling = alpha / rank;
    }

    /// <summary>The projection it adapts, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public string Name { get; }

    /// <summary>Down-projection, <c>[rank, in]</c>.</summary>
    public Parameter A { get; }

    /// <summary>Up-projection, <c>[out, rank]</c>.</summary>
    public Parameter B { get; }

    /// <summary><c>alpha / rank</c>.</summary>
    public double Scaling { get; }

    /// <summary>The update for input <paramref name="x"/>.</summary>
    public Tensor Forward(Tensor x) => functional.linear(functional.linear(x, A), B) * Scaling;

    /// <inheritdoc />
    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
