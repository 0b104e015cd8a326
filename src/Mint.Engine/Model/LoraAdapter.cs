using System;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Model;

/// <summary>
/// A low-rank update <c>B·A·scaling</c> to one frozen projection. <c>B</c> starts at zero, so a new
/// adapter leaves the model unchanged; only <c>A</c> and <c>B</c> train. Both are float32 views
/// into the session's flat parameter buffer (see <see cref="LoraAdapters"/>).
/// </summary>
public sealed class LoraAdapter
{
    internal LoraAdapter(string name, Parameter a, Parameter b, double scaling)
    {
        Name = name;
        A = a;
        B = b;
        Scaling = scaling;
    }

    /// <summary>The projection it adapts, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public string Name { get; }

    /// <summary>Down-projection, <c>[rank, in]</c>.</summary>
    public Parameter A { get; }

    /// <summary>Up-projection, <c>[out, rank]</c>.</summary>
    public Parameter B { get; }

    /// <summary><c>alpha / rank</c>.</summary>
    public double Scaling { get; }

    /// <summary>
    /// The update for input <paramref name="x"/>, computed in <paramref name="x"/>'s precision (as
    /// autocast does): with bfloat16 base weights the adapters' float32 values are rounded for the
    /// product, and their gradients still arrive in float32.
    /// </summary>
    public Tensor Forward(Tensor x)
    {
        var a = x.dtype == A.dtype ? (Tensor)A : A.to(x.dtype);
        var b = x.dtype == B.dtype ? (Tensor)B : B.to(x.dtype);
        return functional.linear(functional.linear(x, a), b) * Scaling;
    }
}
