using static TorchSharp.torch;

namespace Mint.Engine.Model;

/// <summary>Root-mean-square layer norm: <c>x / sqrt(mean(x²) + eps) * weight</c>, computed in float32.</summary>
internal sealed class RmsNorm(Tensor weight, double eps)
{
    public Tensor Forward(Tensor x)
    {
        var dtype = x.dtype;
        var x32 = x.to(ScalarType.Float32);
        var normalized = x32 * (x32.square().mean([-1L], keepdim: true) + eps).rsqrt();
        return weight * normalized.to(dtype);
    }
}
