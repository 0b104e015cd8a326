using System;
using System.IO;

namespace Mint.Engine.Tests.Support;

/// <summary>The reference fixtures checked in under <c>tests/Mint.Engine.Tests/Fixtures</c> (each with its provenance note).</summary>
internal static class Fixtures
{
    /// <summary>The fixture folder <paramref name="name"/>, found from the repository root.</summary>
    public static string Folder(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mint.Dsl.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "Mint.Engine.Tests", "Fixtures", name);
            }
        }

        throw new InvalidOperationException($"No Mint.Dsl.sln above {AppContext.BaseDirectory}.");
    }
}
