using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Mint.Dsl.Benchmarks.Ledger;

/// <summary>
/// Writes benchmark results into <c>docs/performance.md</c>. Each benchmark owns one section between
/// HTML comment markers and replaces only that, so running one benchmark keeps the others' numbers.
/// </summary>
public static class PerformanceLedger
{
    /// <summary>The ledger's path, found by walking up from the working directory to the repository root.</summary>
    public static string DefaultPath
    {
        get
        {
            for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Mint.Dsl.sln")))
                {
                    return Path.Combine(folder.FullName, "docs", "performance.md");
                }
            }

            return Path.Combine(Environment.CurrentDirectory, "performance.md");
        }
    }

    /// <summary>One line describing this machine and runtime.</summary>
    public static string Machine =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, "
        + $"CPU: {CpuName()}";

    /// <summary>Replaces (or appends) section <paramref name="id"/> with <paramref name="markdown"/>, stamped with machine, date and command.</summary>
    public static void Write(string id, string title, string command, string markdown, string? path = null)
    {
        path ??= DefaultPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var existing = File.Exists(path) ? File.ReadAllText(path) : Header;
        var section = new StringBuilder()
            .Append($"<!-- begin:{id} -->\n")
            .Append($"## {title}\n\n")
            .Append($"*Measured {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC on {Machine}.*  \n")
            .Append($"*Command:* `{command}`\n\n")
            .Append(markdown.TrimEnd()).Append('\n')
            .Append($"<!-- end:{id} -->\n")
            .ToString();
        var pattern = new Regex($"<!-- begin:{Regex.Escape(id)} -->.*?<!-- end:{Regex.Escape(id)} -->\n?", RegexOptions.Singleline);
        var updated = pattern.IsMatch(existing)
            ? pattern.Replace(existing, section.Replace("$", "$$"), 1)
            : existing.TrimEnd() + "\n\n" + section;
        File.WriteAllText(path, updated);
    }

    private const string Header = """
        # Performance ledger

        Numbers written by `tests/Mint.Dsl.Benchmarks`; each section says when, where and with which
        command it was measured. Ratios are measured side by side in one run. Regenerate with
        `dotnet run -c Release --project tests/Mint.Dsl.Benchmarks -- all`.

        """;

    private static string CpuName()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':') + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return "unknown";
    }
}
