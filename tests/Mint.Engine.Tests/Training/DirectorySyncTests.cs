using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Mint.Engine.Training;
using Xunit;

namespace Mint.Engine.Tests.Training;

/// <summary>
/// Directory fsync (#12): the helper really opens the directory it is given (a missing one, or a file,
/// is an error naming it), and a save flushes the new folder's entries and the parent after each rename.
/// Flushes are observed through <see cref="DirectorySync.OnFlushed"/>, which reports each directory after
/// its fsync returned; what is on disk is the real file system, nothing is mocked.
/// </summary>
public sealed class DirectorySyncTests : System.IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [UnixFact]
    public void Flush_opens_and_syncs_the_directory_it_is_given_and_names_one_it_cannot()
    {
        var flushed = new List<string>();
        DirectorySync.OnFlushed.Value = flushed.Add;
        var missing = root.File("missing");
        var file = root.File("plain.txt");
        File.WriteAllText(file, "not a directory");

        DirectorySync.Flush(root.Path);
        var notFound = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        var notADirectory = Assert.Throws<IOException>(() => DirectorySync.Flush(file));

        Assert.Equal([root.Path], flushed);
        Assert.Contains($"'{missing}'", notFound.Message, System.StringComparison.Ordinal);
        Assert.Contains("open failed with errno 2 ", notFound.Message, System.StringComparison.Ordinal);

        // open(O_DIRECTORY) refuses a file (ENOTDIR): the path itself was opened, as a directory.
        Assert.Contains($"'{file}'", notADirectory.Message, System.StringComparison.Ordinal);
        Assert.Contains("open failed with errno 20 ", notADirectory.Message, System.StringComparison.Ordinal);
    }

    [UnixFact]
    public void An_overwriting_save_flushes_the_new_folder_and_the_parent_after_each_rename()
    {
        using var model = TinyModel.Load(TinyModel.Config(vocab: 48, context: 16));
        using var session = CheckpointRun.Train(model, 1);
        var folder = root.File("run");
        session.SaveState(folder);
        session.SaveState(Path.Combine(folder, "step-1"));

        // What each flush saw: the directory, and whether the checkpoint and its set-aside copy existed then.
        var seen = new List<(string Directory, bool Folder, bool Previous, bool Nested)>();
        DirectorySync.OnFlushed.Value = directory => seen.Add((directory, Directory.Exists(folder), Directory.Exists(folder + "~previous"), Directory.Exists(Path.Combine(folder, "step-1"))));
        session.SaveState(folder);

        var incoming = Assert.Single(seen, flush => Path.GetFileName(flush.Directory).StartsWith("run~incoming-", System.StringComparison.Ordinal));
        Assert.True(incoming.Folder && !incoming.Previous, "the new files' entries are flushed before any rename");
        var parentFlushes = seen.Where(flush => flush.Directory == root.Path).ToList();
        Assert.Contains((root.Path, false, true, false), parentFlushes);   // after the old folder was set aside
        Assert.Contains((root.Path, true, true, false), parentFlushes);    // after the new one was renamed into place
        Assert.Contains((folder, true, true, true), seen);                 // the nested checkpoint moved into the new folder
        Assert.True(seen.IndexOf(incoming) < seen.IndexOf((root.Path, false, true, false)));
        Assert.True(Directory.Exists(Path.Combine(folder, "step-1")) && !Directory.Exists(folder + "~previous"));
    }
}
