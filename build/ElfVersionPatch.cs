#nullable disable
// Why this exists
// ---------------
// TorchSharp 0.107's native shim (libLibTorchSharp.so) was linked against a newer
// libstdc++ and records a *required* symbol version GLIBCXX_3.4.32. Older distros
// (Debian 12 ships 3.4.30) refuse to load it, so every TorchSharp call fails with a
// TypeInitializationException. The only symbol bound to that version is
// _ZSt21ios_base_library_initv, GCC 13's marker for "libstdc++ initialises std::cout
// and friends itself". Nothing relocates against it, and on an older libstdc++ the
// streams are still initialised by the classic std::ios_base::Init objects in
// libc10/libtorch_cpu (built with an older GCC, loaded before this library), so the
// requirement is safe to relax.
//
// The fix: in the *copy in the build output* (never the NuGet cache), set
// VER_FLG_WEAK on that one Vernaux entry. ld.so then tolerates the version being
// absent and still checks it where it exists. Nothing else in the file changes.
//
// Written in C# 7.3 (plus the #nullable line) against netstandard2.0 so the same file
// compiles inside MSBuild's RoslynCodeTaskFactory (see Mint.Dsl.Native.targets) and in
// ordinary projects (netstandard2.0 / net10.0). The MSBuild task at the bottom is only
// compiled by the task factory; everywhere else the file has no dependencies.

using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Mint.Dsl.Build
{
    public enum PatchOutcome
    {
        /// <summary>Not a little-endian ELF64 file; left alone.</summary>
        NotElf,
        /// <summary>The file has no Vernaux entry with that version name.</summary>
        VersionNotRequired,
        /// <summary>The entry already carries VER_FLG_WEAK; nothing written.</summary>
        AlreadyWeak,
        /// <summary>VER_FLG_WEAK was set (file replaced via temp file + rename).</summary>
        Patched,
    }

    public static class ElfVersionPatch
    {
        const uint ShtGnuVerdef = 0x6ffffffd;  // SHT_GNU_verdef: versions a library defines
        const uint ShtGnuVerneed = 0x6ffffffe; // SHT_GNU_verneed: versions a file requires
        const ushort VerFlgWeak = 0x2;         // VER_FLG_WEAK

        static readonly string[] LibDirs =
        {
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
            "/usr/lib", "/usr/lib/aarch64-linux-gnu",
        };

        /// <summary>
        /// Sets VER_FLG_WEAK on the Vernaux entry named <paramref name="version"/>. Idempotent.
        /// The file is never modified in place: a patched copy is written next to it and
        /// renamed over it, so a hard link or symlink into the NuGet cache is broken, not edited.
        /// </summary>
        public static PatchOutcome MakeVersionWeak(string path, string version)
        {
            byte[] elf = File.ReadAllBytes(path);
            if (!IsElf64Le(elf)) return PatchOutcome.NotElf;

            long flagsAt = FindVernauxFlags(elf, version);
            if (flagsAt < 0) return PatchOutcome.VersionNotRequired;

            ushort flags = U16(elf, flagsAt);
            if ((flags & VerFlgWeak) != 0) return PatchOutcome.AlreadyWeak;

            flags |= VerFlgWeak;
            string tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp"; // unique: parallel builds
            try
            {
                File.Copy(path, tmp, true); // keeps the original's permission bits
                using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.Write))
                {
                    fs.Position = flagsAt;
                    fs.WriteByte((byte)flags);
                    fs.WriteByte((byte)(flags >> 8));
                }
                File.Replace(tmp, path, null); // rename(2) on Unix: replaces the directory entry
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            return PatchOutcome.Patched;
        }

        /// <summary>
        /// True when the machine's libstdc++.so.6 defines <paramref name="version"/> (i.e. no
        /// patch is needed). Always true off Linux. False when no libstdc++ is found: the
        /// patch is harmless where the version exists, so erring towards patching is safe.
        /// </summary>
        public static bool SystemLibStdCxxProvides(string version)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return true;
            foreach (string dir in LibDirs)
            {
                string lib = Path.Combine(dir, "libstdc++.so.6");
                if (!File.Exists(lib)) continue;         // File.* follows symlinks
                byte[] elf = File.ReadAllBytes(lib);
                if (!IsElf64Le(elf)) continue;           // e.g. a 32-bit lib in /usr/lib
                return DefinesVersion(elf, version);
            }
            return false;
        }

        // ---- ELF64 little-endian parsing (only what the two entry points need) ----

        static bool IsElf64Le(byte[] d)
        {
            return d.Length >= 64 && d[0] == 0x7f && d[1] == (byte)'E' && d[2] == (byte)'L'
                && d[3] == (byte)'F' && d[4] == 2 /* ELFCLASS64 */ && d[5] == 1 /* ELFDATA2LSB */;
        }

        struct Section
        {
            public long Offset;
            public long Size;
            public uint Link; // for version sections: index of the string table
            public uint Info; // for version sections: number of entries
        }

        static Section GetSection(byte[] d, long index)
        {
            long shoff = (long)U64(d, 0x28);
            int shentsize = U16(d, 0x3a);
            long h = shoff + index * shentsize;
            return new Section
            {
                Offset = (long)U64(d, h + 24),
                Size = (long)U64(d, h + 32),
                Link = U32(d, h + 40),
                Info = U32(d, h + 44),
            };
        }

        /// <summary>Finds the first section of the given sh_type; false if none.</summary>
        static bool FindSection(byte[] d, uint type, out Section section)
        {
            long shoff = (long)U64(d, 0x28);
            int shentsize = U16(d, 0x3a);
            long shnum = U16(d, 0x3c);
            if (shnum == 0 && shoff != 0) shnum = (long)U64(d, shoff + 32); // >= SHN_LORESERVE sections
            for (long i = 0; i < shnum; i++)
            {
                if (U32(d, shoff + i * shentsize + 4) == type)
                {
                    section = GetSection(d, i);
                    return true;
                }
            }
            section = default(Section);
            return false;
        }

        /// <summary>File offset of vna_flags for the requirement named <paramref name="version"/>, or -1.</summary>
        static long FindVernauxFlags(byte[] d, string version)
        {
            Section verneed;
            if (!FindSection(d, ShtGnuVerneed, out verneed)) return -1;
            Section strtab = GetSection(d, verneed.Link);

            // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
            // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
            long vn = verneed.Offset;
            for (uint i = 0; i < verneed.Info; i++)
            {
                int cnt = U16(d, vn + 2);
                long vna = vn + U32(d, vn + 8);
                for (int j = 0; j < cnt; j++)
                {
                    if (NameIs(d, strtab, U32(d, vna + 8), version)) return vna + 4;
                    uint vnaNext = U32(d, vna + 12);
                    if (vnaNext == 0) break;
                    vna += vnaNext;
                }
                uint vnNext = U32(d, vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
            return -1;
        }

        /// <summary>True if a Verdef entry (a version the library provides) is named <paramref name="version"/>.</summary>
        static bool DefinesVersion(byte[] d, string version)
        {
            Section verdef;
            if (!FindSection(d, ShtGnuVerdef, out verdef)) return false;
            Section strtab = GetSection(d, verdef.Link);

            // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32,
            //               vd_aux u32, vd_next u32. First Verdaux (vda_name u32, vda_next u32)
            //               names the version itself; later ones name its parents.
            long vd = verdef.Offset;
            for (uint i = 0; i < verdef.Info; i++)
            {
                if (U16(d, vd + 6) > 0 && NameIs(d, strtab, U32(d, vd + U32(d, vd + 12)), version)) return true;
                uint vdNext = U32(d, vd + 16);
                if (vdNext == 0) break;
                vd += vdNext;
            }
            return false;
        }

        static bool NameIs(byte[] d, Section strtab, uint nameOffset, string expected)
        {
            long at = strtab.Offset + nameOffset;
            byte[] want = Encoding.ASCII.GetBytes(expected);
            if (nameOffset >= strtab.Size || at + want.Length >= d.Length) return false;
            for (int k = 0; k < want.Length; k++)
                if (d[at + k] != want[k]) return false;
            return d[at + want.Length] == 0;
        }

        static void Check(byte[] d, long at, int size)
        {
            if (at < 0 || at > d.Length - size)
                throw new InvalidDataException("Truncated or malformed ELF file (offset " + at + ").");
        }

        static ushort U16(byte[] d, long at)
        {
            Check(d, at, 2);
            return (ushort)(d[at] | d[at + 1] << 8);
        }

        static uint U32(byte[] d, long at)
        {
            Check(d, at, 4);
            return (uint)(d[at] | d[at + 1] << 8 | d[at + 2] << 16 | d[at + 3] << 24);
        }

        static ulong U64(byte[] d, long at)
        {
            Check(d, at, 8);
            return U32(d, at) | (ulong)U32(d, at + 4) << 32;
        }
    }
}

// The MSBuild task. RoslynCodeTaskFactory accepts a single <Code> file and defines no
// target-framework symbols, whereas every SDK-style build defines NETSTANDARD,
// NETCOREAPP or NETFRAMEWORK. So this block exists only in the inline-task compilation
// and the rest of the file stays free of any Microsoft.Build reference.
#if !(NETSTANDARD || NETCOREAPP || NETFRAMEWORK)
namespace Mint.Dsl.Build
{
    using Microsoft.Build.Framework;
    using Microsoft.Build.Utilities;

    public class PatchTorchSharpNativeForOldLibStdCxx : Task
    {
        /// <summary>Candidate libLibTorchSharp.so copies in an output or publish folder.</summary>
        [Required] public ITaskItem[] Files { get; set; }

        /// <summary>Symbol version to make weak, e.g. GLIBCXX_3.4.32.</summary>
        [Required] public string Version { get; set; }

        /// <summary>Patch even if this machine's libstdc++ has the version (for other deploy targets).</summary>
        public bool Force { get; set; }

        /// <summary>Files under this folder (the NuGet cache) are never touched.</summary>
        public string NuGetPackageRoot { get; set; }

        public override bool Execute()
        {
            if (!Force && ElfVersionPatch.SystemLibStdCxxProvides(Version)) return true;
            string cache = string.IsNullOrEmpty(NuGetPackageRoot) ? null
                : Path.GetFullPath(NuGetPackageRoot).TrimEnd('/') + "/";
            foreach (ITaskItem file in Files)
            {
                string path = file.GetMetadata("FullPath");
                if (cache != null && path.StartsWith(cache, StringComparison.Ordinal)) continue;
                try
                {
                    if (ElfVersionPatch.MakeVersionWeak(path, Version) == PatchOutcome.Patched)
                        Log.LogMessage(MessageImportance.Normal,
                            "Mint.Dsl: marked {0} weak in {1} ({2}; see README troubleshooting)", Version, path,
                            Force ? "MintForceNativePatch=true" : "system libstdc++ lacks it");
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
                {
                    Log.LogWarning(null, "MINTNATIVE001", null, path, 0, 0, 0, 0,
                        "Mint.Dsl: could not mark {0} weak: {1}", Version, e.Message);
                }
            }
            return true;
        }
    }
}
#endif
