using System;
using System.IO;

namespace Mint.Dsl.Tests.Support;

/// <summary>Finds the repository the tests run from, for tests that read or pack its sources.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding <c>Mint.Dsl.sln</c>, found by walking up from the test output.</summary>
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Mint.Dsl.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No Mint.Dsl.sln above {AppContext.BaseDirectory}.");
        }
    }
}
