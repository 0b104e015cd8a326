using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace Mint.Engine.Training;

/// <summary>
/// Flushes a directory's entries to disk, so that a rename or a new file in it survives a power loss.
/// Flushing a file's contents (<see cref="FileStream.Flush(bool)"/>) does not make its name durable,
/// and .NET cannot open a directory, so on Linux and macOS this calls libc: <c>open(O_RDONLY |
/// O_DIRECTORY)</c>, <c>fsync</c>, <c>close</c>. Windows has no directory flush (NTFS journals its
/// metadata itself), so there it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>Called with each directory after it was flushed, in the calling flow only (tests observe saves with it).</summary>
    internal static AsyncLocal<Action<string>?> OnFlushed { get; } = new();

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk.</summary>
    /// <exception cref="IOException">When it cannot be opened as a directory or flushed; the message names it and the reason.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnly | OpenDirectoryFlag());
        if (descriptor < 0)
        {
            throw Failure("open", directory);
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw Failure("fsync", directory);
            }
        }
        finally
        {
            _ = Close(descriptor);
        }

        OnFlushed.Value?.Invoke(directory);
    }

    /// <summary>
    /// <c>O_DIRECTORY</c>, which differs by platform: 0x100000 on macOS; on Linux 0x4000 for ARM and
    /// 0x10000 for the generic ABI (x86, x64, RISC-V, LoongArch, s390x).
    /// </summary>
    private static int OpenDirectoryFlag() =>
        OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() ? 0x100000
        : RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 ? 0x4000
        : 0x10000;

    private static IOException Failure(string call, string directory)
    {
        var error = Marshal.GetLastPInvokeError();
        return new IOException($"Cannot flush directory '{directory}' to disk: {call} failed with errno {error} ({Marshal.GetPInvokeErrorMessage(error)}).");
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
