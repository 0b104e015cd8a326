using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Mint.Engine.Tests.Support;

/// <summary>
/// A safetensors file read byte by byte, independently of the engine's reader (TorchSharp.PyBridge):
/// each tensor's dtype, shape and raw bytes by name, as the format's header declares them.
/// </summary>
internal static class SafetensorsReader
{
    public sealed record Entry(string DType, long[] Shape, byte[] Bytes);

    public static Dictionary<string, Entry> Read(string path)
    {
        var file = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToUInt64(file, 0);
        using var header = JsonDocument.Parse(file.AsMemory(8, headerLength));
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                continue;
            }

            var offsets = property.Value.GetProperty("data_offsets");
            var start = 8 + headerLength + offsets[0].GetInt64();
            var end = 8 + headerLength + offsets[1].GetInt64();
            var shape = new List<long>();
            foreach (var dimension in property.Value.GetProperty("shape").EnumerateArray())
            {
                shape.Add(dimension.GetInt64());
            }

            entries[property.Name] = new Entry(property.Value.GetProperty("dtype").GetString()!, [.. shape], file[(int)start..(int)end]);
        }

        return entries;
    }
}
