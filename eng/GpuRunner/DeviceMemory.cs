using System;
using System.Runtime.InteropServices;

namespace Mint.GpuRunner;

/// <summary>
/// Device memory in use, from the CUDA runtime libtorch already loaded (<c>cudaMemGetInfo</c>).
/// libtorch's caching allocator keeps what it once reserved, so the reading after a run is the
/// run's peak reservation plus the CUDA context: the peer script reads the same figure.
/// </summary>
internal static class DeviceMemory
{
    private delegate int MemGetInfo(out nuint free, out nuint total);

    public static double? InUseGiB()
    {
        foreach (var name in new[] { "libcudart.so.13", "libcudart.so.12", "libcudart.so" })
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "cudaMemGetInfo", out var address))
            {
                var memGetInfo = Marshal.GetDelegateForFunctionPointer<MemGetInfo>(address);
                if (memGetInfo(out var free, out var total) == 0)
                {
                    return (total - free) / (double)(1L << 30);
                }
            }
        }

        return null;
    }
}
