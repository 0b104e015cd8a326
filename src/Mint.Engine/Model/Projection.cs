using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mint.Engine.Model;

/// <summary>A frozen linear layer, plus its LoRA update when the session adapts it.</summary>
internal sealed class Projection(Tensor weight, Tensor? bias, LoraAdapter? adapter)
{
    public Tensor Forward(Tensor x)
    {
        var y = functional.linear(x, weight, bias);
        return adapter is null ? y : y + adapter.Forward(x);
    }
}
