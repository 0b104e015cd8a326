using System;
using Xunit;

namespace Mint.Engine.Tests.Support;

/// <summary>A test of behaviour only Linux and macOS have (Windows cannot flush a directory): skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Windows has no directory fsync; DirectorySync does nothing there";
        }
    }
}
