using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// A test that needs a CUDA device: skipped where this process has none (CI, the CPU build), run by
/// <c>eng/gpu-check.sh run</c> on a GPU machine through the GPU runner.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available())
        {
            Skip = "needs a CUDA device (eng/gpu-check.sh runs it on a GPU machine)";
        }
    }
}
