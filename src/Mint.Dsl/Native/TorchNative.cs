using System;
using TorchSharp;

namespace Mint.Dsl;

/// <summary>
/// Loads TorchSharp's native library once, up front, and turns a failure into a
/// <see cref="NativeLibraryException"/> that says what is wrong and what to do, instead of the bare
/// <see cref="TypeInitializationException"/> TorchSharp throws on its first use.
/// </summary>
public static class TorchNative
{
    private const string MissingVersion = "GLIBCXX_3.4.32";

    private static readonly Lazy<NativeLibraryException?> Failure = new(Probe);

    /// <summary>Returns when TorchSharp's native library is loaded; throws <see cref="NativeLibraryException"/> when it cannot be.</summary>
    public static void EnsureLoaded()
    {
        if (Failure.Value is { } failure)
        {
            throw failure;
        }
    }

    private static NativeLibraryException? Probe()
    {
        try
        {
            _ = torch.get_num_threads();
            return null;
        }
        catch (TypeInitializationException error)
        {
            return new NativeLibraryException(Explain(error), error);
        }
    }

    private static string Explain(Exception error)
    {
        var detail = string.Empty;
        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            detail += " " + inner.Message;
        }

        var folder = AppContext.BaseDirectory;
        return detail.Contains(MissingVersion, StringComparison.Ordinal) || detail.Contains("libLibTorchSharp", StringComparison.Ordinal)
            ? $"TorchSharp's native library in {folder} did not load:{detail}\n"
              + $"TorchSharp 0.107 asks for {MissingVersion} (GCC 13's libstdc++), which this machine's libstdc++ lacks. "
              + "Builds that reference the Mint.Dsl or Mint.Client package fix their copy of libLibTorchSharp.so automatically. "
              + "A project that references Mint.Dsl's projects (not the packages) from outside the Mint.Dsl repository must "
              + "import the fix itself: add <Import Project=\"<Mint.Dsl repository>/build/Mint.Dsl.targets\" /> to the project "
              + "(or to its Directory.Build.targets) and rebuild; see the README's Troubleshooting section."
            : $"TorchSharp's native library in {folder} did not load:{detail}";
    }
}
