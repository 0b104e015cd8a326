using System;
using System.Globalization;
using TorchSharp;

namespace Mint.Dsl;

/// <summary>
/// Reads device names as users write them (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) and checks that the
/// device can run here, so a bad value fails at once with a message naming it instead of deep inside libtorch.
/// </summary>
public static class ComputeDevice
{
    /// <summary>
    /// The device called <paramref name="name"/>. Throws <see cref="ArgumentException"/> naming
    /// <paramref name="setting"/> when the name is not <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, or
    /// when this process has no such CUDA device.
    /// </summary>
    public static torch.Device Parse(string name, string setting)
    {
        var text = (name ?? string.Empty).Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return torch.CPU;
        }

        var index = 0;
        if (text != "cuda" && !(text.StartsWith("cuda:", StringComparison.Ordinal)
                                && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index)))
        {
            throw new ArgumentException($"{setting} is '{name}'; use cpu, cuda or cuda:N (N a device index).", setting);
        }

        CheckCuda(text, index, setting);
        return torch.device(DeviceType.CUDA, index);
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming <paramref name="setting"/> when <paramref name="device"/>
    /// is a CUDA device this process cannot use (no CUDA build of libtorch, no GPU, or an index past the last GPU).
    /// </summary>
    public static void Check(torch.Device device, string setting)
    {
        if (device.type == DeviceType.CUDA)
        {
            CheckCuda(device.ToString(), Math.Max(device.index, 0), setting);
        }
    }

    private static void CheckCuda(string name, int index, string setting)
    {
        if (!torch.cuda.is_available())
        {
            throw new ArgumentException(
                $"{setting} is {name}, but CUDA is not available in this process: build with -p:MintCuda=true or load the libtorch of a CUDA PyTorch install (README, 'CUDA'), on a machine with an NVIDIA GPU.",
                setting);
        }

        var count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new ArgumentException($"{setting} is {name}, but this machine has {count} CUDA device(s) (cuda:0–cuda:{count - 1}).", setting);
        }
    }
}
