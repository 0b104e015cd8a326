using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;

namespace Mint.Engine.Training;

/// <summary>
/// Writes a checkpoint folder so that a crash at any moment leaves either the previous checkpoint
/// or the new one, whole: the files are written into a sibling folder and flushed to disk (files,
/// then the folder's entries), the
/// previous folder is renamed aside, the new one renamed into place, the checkpoints nested in the
/// previous folder (<c>run</c> holds <c>run/step-1</c>) are moved over, and only then is the
/// previous folder deleted. A reader takes the folder when it exists and the set-aside one
/// otherwise, so it never sees a mix; the next save finishes whatever a crash cut short. Sibling
/// names contain <c>~</c>, which no checkpoint name may, so they cannot collide with a checkpoint.
/// After each rename the directories whose entries changed are flushed (<see cref="DirectorySync"/>),
/// so a power loss cannot undo a rename the save has moved past; on Windows, which cannot flush a
/// directory, that durability is left to NTFS's own journal.
/// </summary>
public static class CheckpointFolder
{
    private const string PreviousSuffix = "~previous";
    private const string IncomingInfix = "~incoming-";

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

    /// <summary>Whether a checkpoint folder exists at <paramref name="folder"/> (a save cut short still leaves the previous one).</summary>
    public static bool Exists(string folder) => Readable(folder) is not null;

    /// <summary>
    /// The folder a reader should read for <paramref name="folder"/>, or null when there is none:
    /// the folder itself, or where a save of it (or of a checkpoint containing it) cut short by a
    /// crash set it aside.
    /// </summary>
    internal static string? Readable(string folder)
    {
        var rest = string.Empty;
        for (var current = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)); ; current = Path.GetDirectoryName(current)!)
        {
            if (rest.Length == 0 && Directory.Exists(current))
            {
                return current;
            }

            // Set aside by a save of this folder, or of one containing it, that has not finished.
            var aside = Path.Join(current + PreviousSuffix, rest);
            if (Directory.Exists(aside))
            {
                return aside;
            }

            if (Directory.Exists(current) || Path.GetDirectoryName(current) is null)
            {
                return null;
            }

            rest = Path.Join(Path.GetFileName(current), rest);
        }
    }

    /// <summary>
    /// The checkpoint name a folder path (relative to a checkpoint root) stands for: the path itself,
    /// or, for a folder a cut-short save set aside, the name it was set aside from; null for a
    /// half-written incoming folder, which holds no checkpoint yet.
    /// </summary>
    internal static string? CheckpointName(string relativePath)
    {
        var segments = relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (segments.Any(segment => segment.Contains(IncomingInfix, StringComparison.Ordinal)))
        {
            return null;
        }

        return string.Join('/', segments.Select(segment => segment.EndsWith(PreviousSuffix, StringComparison.Ordinal) ? segment[..^PreviousSuffix.Length] : segment));
    }

    /// <summary>Replaces <paramref name="folder"/> with what <paramref name="write"/> puts into an empty folder.</summary>
    internal static void Replace(string folder, Action<string> write)
    {
        folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        RecoverAncestors(folder);
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        Recover(folder);

        var incoming = folder + IncomingInfix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        Directory.CreateDirectory(incoming);
        try
        {
            OnMoment?.Invoke(Moment.Writing);
            write(incoming);
            foreach (var file in Directory.EnumerateFiles(incoming))
            {
                FlushToDisk(file);
            }

            DirectorySync.Flush(incoming);
        }
        catch
        {
            Directory.Delete(incoming, recursive: true);
            throw;
        }

        OnMoment?.Invoke(Moment.Written);
        var previous = folder + PreviousSuffix;
        var parent = Path.GetDirectoryName(folder)!;
        var hadPrevious = Directory.Exists(folder);
        if (hadPrevious)
        {
            Directory.Move(folder, previous);
            DirectorySync.Flush(parent);
            OnMoment?.Invoke(Moment.PreviousSetAside);
        }

        Directory.Move(incoming, folder);
        DirectorySync.Flush(parent);
        OnMoment?.Invoke(Moment.Replaced);
        if (hadPrevious)
        {
            Retire(previous, folder);
        }
    }

    /// <summary>
    /// Finishes what a save cut short: a set-aside previous folder goes back when no new one took its
    /// place, and otherwise hands its nested checkpoints to the new one and is deleted; half-written
    /// incoming folders are deleted.
    /// </summary>
    private static void Recover(string folder)
    {
        var previous = folder + PreviousSuffix;
        if (Directory.Exists(previous))
        {
            if (Directory.Exists(folder))
            {
                Retire(previous, folder);
            }
            else
            {
                Directory.Move(previous, folder);
                DirectorySync.Flush(Path.GetDirectoryName(folder)!);
            }
        }

        foreach (var stale in Directory.EnumerateDirectories(Path.GetDirectoryName(folder)!, Path.GetFileName(folder) + IncomingInfix + "*"))
        {
            Directory.Delete(stale, recursive: true);
        }
    }

    /// <summary>Puts back a containing checkpoint that a cut-short save left set aside, so a nested save lands inside it.</summary>
    private static void RecoverAncestors(string folder)
    {
        for (var current = Path.GetDirectoryName(folder); current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            if (Directory.Exists(current + PreviousSuffix))
            {
                Directory.Move(current + PreviousSuffix, current);
                DirectorySync.Flush(Path.GetDirectoryName(current)!);
                return;
            }
        }
    }

    /// <summary>
    /// Moves the checkpoints nested in <paramref name="previous"/> into <paramref name="replacement"/>
    /// and flushes both, then deletes it (a deletion a power loss undoes is finished by the next save).
    /// </summary>
    private static void Retire(string previous, string replacement)
    {
        var moved = false;
        foreach (var nested in Directory.EnumerateDirectories(previous))
        {
            var target = Path.Join(replacement, Path.GetFileName(nested));
            if (!Directory.Exists(target))
            {
                Directory.Move(nested, target);
                moved = true;
            }
        }

        if (moved)
        {
            DirectorySync.Flush(replacement);
            DirectorySync.Flush(previous);
        }

        Directory.Delete(previous, recursive: true);
    }

    private static void FlushToDisk(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }
}
