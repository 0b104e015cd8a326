using System;
using System.IO;
using System.Security.Cryptography;
using Mint.Dsl.Build;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Dsl.Tests.Build;

/// <summary>
/// The build step that marks TorchSharp's GLIBCXX_3.4.32 requirement weak: it patches the copy in
/// the output only where needed, is idempotent, and never touches the NuGet cache.
/// </summary>
public sealed class NativeLibraryPatchTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private readonly string scratch = Directory.CreateTempSubdirectory("mint-elf-").FullName;

    private static string CachedLibrary
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        }
    }

    private static string OutputLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void TorchSharp_loads_and_differentiates_in_the_test_output()
    {
        var x = tensor(new[] { 1.0, -2.0, 3.0 }, requires_grad: true);
        (x * x).sum().backward();

        Assert.Equal(new[] { 2.0, -4.0, 6.0 }, x.grad!.data<double>().ToArray());
    }

    [Fact]
    public void Output_copy_is_patched_only_when_this_machines_libstdcxx_lacks_the_version()
    {
        Assert.True(File.Exists(CachedLibrary), $"TorchSharp's native library is not in the NuGet cache at {CachedLibrary}.");
        var copy = Path.Combine(scratch, "output.so");
        File.Copy(OutputLibrary, copy);

        if (ElfVersionPatch.SystemLibStdCxxProvides(Version))
        {
            Assert.Equal(Hash(CachedLibrary), Hash(OutputLibrary));
        }
        else
        {
            Assert.Equal(PatchOutcome.AlreadyWeak, ElfVersionPatch.MakeVersionWeak(copy, Version));
            Assert.NotEqual(Hash(CachedLibrary), Hash(OutputLibrary));
        }
    }

    [Fact]
    public void Patching_changes_one_byte_of_a_copy_and_is_idempotent()
    {
        var cacheHash = Hash(CachedLibrary);
        var copy = Path.Combine(scratch, "libLibTorchSharp.so");
        File.Copy(CachedLibrary, copy);

        Assert.Equal(PatchOutcome.Patched, ElfVersionPatch.MakeVersionWeak(copy, Version));
        var once = File.ReadAllBytes(copy);
        Assert.Equal(PatchOutcome.AlreadyWeak, ElfVersionPatch.MakeVersionWeak(copy, Version));

        Assert.Equal(once, File.ReadAllBytes(copy));
        var original = File.ReadAllBytes(CachedLibrary);
        var differences = 0;
        for (var index = 0; index < original.Length; index++)
        {
            differences += original[index] == once[index] ? 0 : 1;
        }

        Assert.Equal(1, differences);
        Assert.Equal(cacheHash, Hash(CachedLibrary));
    }

    [Fact]
    public void A_symbolic_link_is_replaced_not_written_through()
    {
        var original = Path.Combine(scratch, "original.so");
        var linked = Path.Combine(scratch, "linked.so");
        File.Copy(CachedLibrary, original);
        File.CreateSymbolicLink(linked, original);

        Assert.Equal(PatchOutcome.Patched, ElfVersionPatch.MakeVersionWeak(linked, Version));

        Assert.Equal(Hash(CachedLibrary), Hash(original));
        Assert.NotEqual(Hash(original), Hash(linked));
    }

    [Fact]
    public void Files_that_are_not_elf_or_do_not_need_the_version_are_left_alone()
    {
        var text = Path.Combine(scratch, "notes.so");
        File.WriteAllText(text, "not a shared library");
        var libc10 = Path.Combine(Path.GetDirectoryName(OutputLibrary)!, "libc10.so");
        var copy = Path.Combine(scratch, "libc10.so");
        File.Copy(libc10, copy);

        Assert.Equal(PatchOutcome.NotElf, ElfVersionPatch.MakeVersionWeak(text, Version));
        Assert.Equal(PatchOutcome.VersionNotRequired, ElfVersionPatch.MakeVersionWeak(copy, Version));
        Assert.Equal(Hash(libc10), Hash(copy));
    }
}
