using System;
using System.IO;
using System.Security.Cryptography;

namespace Mint.Engine.Training;

/// <summary>
/// Writes a checkpoint folder so that a crash at any moment leaves either the previous checkpoint
/// or the new one, whole: the files are written into a sibling folder and flushed to disk, the
/// previous folder is renamed aside, the new one renamed into place, and only then is the previous
/// one deleted. A reader takes the folder when it exists and the set-aside previous one otherwise,
/// so it never sees a mix. Sibling names contain <c>~</c>, which no checkpoint name may, so they
/// cannot collide with a checkpoint.
/// </summary>
public static class CheckpointFolder
{
    /// <summary>The moments of a save, in order; a test helper process kills itself at one of them.</summary>
    internal enum Moment
    {
        /// <summary>The incoming folder exists; no file is written yet.</summary>
        Writing,

        /// <summary>The new files are written and flushed in the incoming folder.</summary>
        Written,

        /// <summary>The previous checkpoint is renamed aside; the name has no folder.</summary>
        PreviousSetAside,

        /// <summary>The new checkpoint is in place; the previous one is not yet deleted.</summary>
        Replaced,
    }

    /// <summary>Called at each <see cref="Moment"/> of a save (tests only).</summary>
    internal static Action<Moment>? OnMoment { get; set; }

    /// <summary>Whether a checkpoint exists at <paramref name="folder"/> (a save cut short still leaves the previous one).</summary>
    public static bool Exists(string folder) => Readable(folder) is not null;

    /// <summary>The folder a reader should read for <paramref name="folder"/>, or null when there is no checkpoint.</summary>
    internal static string? Readable(string folder) =>
        Directory.Exists(folder) ? folder
        : Directory.Exists(Previous(folder)) ? Previous(folder)
        : null;

    /// <summary>Replaces <paramref name="folder"/> with what <paramref name="write"/> puts into an empty folder.</summary>
    internal static void Replace(string folder, Action<string> write)
    {
        folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        Recover(folder);

        var incoming = $"{folder}~incoming-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        Directory.CreateDirectory(incoming);
        try
        {
            OnMoment?.Invoke(Moment.Writing);
            write(incoming);
            foreach (var file in Directory.EnumerateFiles(incoming))
            {
                FlushToDisk(file);
            }
        }
        catch
        {
            Directory.Delete(incoming, recursive: true);
            throw;
        }

        OnMoment?.Invoke(Moment.Written);
        var previous = Previous(folder);
        var hadPrevious = Directory.Exists(folder);
        if (hadPrevious)
        {
            Directory.Move(folder, previous);
            OnMoment?.Invoke(Moment.PreviousSetAside);
        }

        Directory.Move(incoming, folder);
        OnMoment?.Invoke(Moment.Replaced);
        if (hadPrevious)
        {
            Directory.Delete(previous, recursive: true);
        }
    }

    /// <summary>
    /// Finishes what a save cut short: a set-aside previous checkpoint goes back when no new one
    /// took its place and is deleted when one did; half-written incoming folders are deleted.
    /// </summary>
    private static void Recover(string folder)
    {
        var previous = Previous(folder);
        if (Directory.Exists(previous))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(previous, recursive: true);
            }
            else
            {
                Directory.Move(previous, folder);
            }
        }

        var parent = Path.GetDirectoryName(folder)!;
        foreach (var stale in Directory.EnumerateDirectories(parent, Path.GetFileName(folder) + "~incoming-*"))
        {
            Directory.Delete(stale, recursive: true);
        }
    }

    private static string Previous(string folder) => Path.TrimEndingDirectorySeparator(folder) + "~previous";

    private static void FlushToDisk(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }
}
