using System.IO;
using Mint.Engine.Training;
using Mint.Server.Security;

namespace Mint.Server.Sessions;

/// <summary>
/// Checkpoints on the server: every caller has its own folder under the checkpoint root, and names
/// resolve inside it through <see cref="CheckpointNames.Resolve"/>, so no name can reach another
/// caller's checkpoints or leave the root. Errors name the checkpoint, never the server's paths.
/// </summary>
internal sealed class CheckpointStore(string root)
{
    /// <summary>The checkpoint root (absolute).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Saves <paramref name="session"/> as <paramref name="caller"/>'s checkpoint <paramref name="name"/>.</summary>
    public void Save(Caller caller, TrainingSession session, string name)
    {
        var folder = Resolve(caller, name);
        Rethrow(folder, name, () => session.SaveState(folder));
    }

    /// <summary>Loads <paramref name="caller"/>'s checkpoint <paramref name="name"/> into <paramref name="session"/>.</summary>
    /// <exception cref="CheckpointNotFoundException">When the caller has no such checkpoint.</exception>
    public void Load(Caller caller, TrainingSession session, string name)
    {
        var folder = Resolve(caller, name);
        if (!Directory.Exists(folder))
        {
            throw new CheckpointNotFoundException(name);
        }

        Rethrow(folder, name, () => session.LoadState(folder));
    }

    private string Resolve(Caller caller, string name) => CheckpointNames.Resolve(Path.Combine(Root, caller.Id), name);

    private static void Rethrow(string folder, string name, System.Action action)
    {
        try
        {
            action();
        }
        catch (CheckpointException error)
        {
            throw new CheckpointException(error.Message.Replace(folder, $"'{name}'", System.StringComparison.Ordinal));
        }
    }
}
