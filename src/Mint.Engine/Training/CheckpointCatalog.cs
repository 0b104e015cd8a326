using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Dsl;
using Mint.Engine.Adapters;

namespace Mint.Engine.Training;

/// <summary>
/// The checkpoints under a checkpoint root: every folder holding a training state
/// (<c>SaveState</c>) or a peft adapter (<c>SaveWeightsForSampler</c>), listed by name, and
/// deleted by name. Names resolve through <see cref="CheckpointNames.Resolve"/>, so nothing outside
/// the root is listed or deleted.
/// </summary>
public static class CheckpointCatalog
{
    /// <summary>Every checkpoint under <paramref name="root"/>, by name (ordinal order); none when the root does not exist.</summary>
    public static IReadOnlyList<CheckpointInfo> List(string root)
    {
        var fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            return [];
        }

        // Each name is described from the folder a reader would read (Exists and loading agree with
        // the list), so a checkpoint whose overwrite a crash cut short is listed, not hidden.
        return Directory.EnumerateDirectories(fullRoot, "*", SearchOption.AllDirectories)
            .Select(folder => CheckpointFolder.CheckpointName(Path.GetRelativePath(fullRoot, folder)))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Where(name => IsValidName(fullRoot, name))
            .Select(name => (Name: name, Folder: CheckpointFolder.Readable(Path.Combine(fullRoot, name))))
            .Select(entry => (entry.Name, entry.Folder, Kind: entry.Folder is null ? null : KindOf(entry.Folder)))
            .Where(entry => entry.Kind is not null)
            .Select(entry => Describe(entry.Name, entry.Folder!, entry.Kind!.Value))
            .OrderBy(info => info.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Deletes the checkpoint <paramref name="name"/> under <paramref name="root"/>; checkpoints saved inside it stay.</summary>
    /// <exception cref="CheckpointException">There is no checkpoint of that name.</exception>
    /// <exception cref="BatchValidationException">The name is not a valid checkpoint name.</exception>
    public static void Delete(string root, string name)
    {
        var folder = CheckpointNames.Resolve(root, name);
        if (!Exists(root, name))
        {
            throw new CheckpointException($"There is no checkpoint '{name}'.");
        }

        foreach (var file in Directory.EnumerateFiles(folder))
        {
            File.Delete(file);
        }

        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }

    /// <summary>Whether <paramref name="root"/> holds a checkpoint called <paramref name="name"/>.</summary>
    public static bool Exists(string root, string name) => KindOf(root, name) is not null;

    /// <summary>What the checkpoint <paramref name="name"/> under <paramref name="root"/> holds; null when there is none.</summary>
    public static CheckpointKind? KindOf(string root, string name)
    {
        var folder = CheckpointFolder.Readable(CheckpointNames.Resolve(root, name));
        return folder is null ? null : KindOf(folder);
    }

    /// <summary>Throws when <paramref name="folder"/> already holds a checkpoint of another kind than <paramref name="kind"/>, which saving would corrupt.</summary>
    /// <exception cref="CheckpointException">The folder holds the other kind.</exception>
    public static void RefuseOtherKind(string folder, CheckpointKind kind)
    {
        if (Directory.Exists(folder) && KindOf(folder) is { } existing && existing != kind)
        {
            throw new CheckpointException($"Checkpoint {folder} holds {Describe(existing)}; save {Describe(kind)} under another name.");
        }
    }

    private static string Describe(CheckpointKind kind) => kind == CheckpointKind.Training ? "a training state" : "sampler weights";

    private static CheckpointKind? KindOf(string folder) =>
        File.Exists(Path.Combine(folder, SessionCheckpoint.StateFile)) ? CheckpointKind.Training
        : File.Exists(Path.Combine(folder, PeftAdapterFolder.ConfigFile)) ? CheckpointKind.SamplerWeights
        : null;

    private static CheckpointInfo Describe(string name, string folder, CheckpointKind kind)
    {
        var files = new DirectoryInfo(folder).GetFiles();
        var time = files.Length == 0 ? Directory.GetLastWriteTimeUtc(folder) : files.Max(file => file.LastWriteTimeUtc);
        return new CheckpointInfo(name, kind, new DateTimeOffset(time, TimeSpan.Zero), files.Sum(file => file.Length));
    }

    private static bool IsValidName(string root, string name)
    {
        try
        {
            CheckpointNames.Resolve(root, name);
            return true;
        }
        catch (BatchValidationException)
        {
            return false;
        }
    }
}
