using System;
using System.IO;
using System.Text.RegularExpressions;
using Mint.Dsl;

namespace Mint.Engine.Training;

/// <summary>
/// Turns a checkpoint name into a folder inside a checkpoint root. Names are plain
/// (<c>letters, digits, '.', '-', '_'</c>, optionally in '/'-separated parts), so no name can reach
/// outside the root.
/// </summary>
public static partial class CheckpointNames
{
    /// <summary>The longest checkpoint name.</summary>
    public const int MaxLength = 200;

    /// <summary>The folder for <paramref name="name"/> under <paramref name="root"/>; throws for names that could escape it.</summary>
    public static string Resolve(string root, string name)
    {
        if (name?.Length > MaxLength)
        {
            throw new BatchValidationException("checkpoint", [new(null, "name", $"is {name.Length} characters; a checkpoint name has at most {MaxLength}.")]);
        }

        if (string.IsNullOrWhiteSpace(name) || !Allowed().IsMatch(name))
        {
            throw new BatchValidationException("checkpoint", [new(null, "name",
                $"'{name}' is not a valid checkpoint name; use letters, digits, '.', '-' and '_', optionally in '/'-separated parts, with no part that is '.' or '..'.")]);
        }

        var fullRoot = Path.GetFullPath(root);
        var path = Path.GetFullPath(Path.Combine(fullRoot, name));
        if (!path.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new BatchValidationException("checkpoint", [new(null, "name", $"'{name}' resolves outside the checkpoint folder.")]);
        }

        return path;
    }

    [GeneratedRegex(@"^(?!.*(^|/)\.{1,2}(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")]
    private static partial Regex Allowed();
}
