using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace Mint.Dsl.Tests.Support;

/// <summary>
/// Compares text with a checked-in <c>Snapshots/{name}.verified.cs</c>, following Verify's
/// convention: a mismatch writes <c>{name}.received.cs</c> beside it and fails. Set
/// <c>MINT_ACCEPT_SNAPSHOTS=1</c> to accept the received text as the new baseline; under
/// <c>CI=true</c> that setting is refused, so a CI run can never bless its own output.
/// </summary>
internal static class SnapshotAssert
{
    public static void Matches(string name, string actual, [CallerFilePath] string callerPath = "") => Compare(name, actual, ".cs", callerPath);

    /// <summary>As <see cref="Matches"/>, for plain text (<c>Snapshots/{name}.verified.txt</c>).</summary>
    public static void MatchesText(string name, string actual, [CallerFilePath] string callerPath = "") => Compare(name, actual, ".txt", callerPath);

    private static void Compare(string name, string actual, string extension, string callerPath)
    {
        var folder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        var verified = Path.Combine(folder, name + ".verified" + extension);
        var received = Path.Combine(folder, name + ".received" + extension);
        actual = actual.Replace("\r\n", "\n");
        if (Accepting(Environment.GetEnvironmentVariable("MINT_ACCEPT_SNAPSHOTS"), Environment.GetEnvironmentVariable("CI")))
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}; wrote {received}. Review it, then rerun with MINT_ACCEPT_SNAPSHOTS=1."
            : $"Generated code differs from {verified}; wrote {received}. Diff them, then rerun with MINT_ACCEPT_SNAPSHOTS=1 if the change is intended.");
    }

    /// <summary>
    /// Whether snapshots are being accepted: <paramref name="acceptSnapshots"/> is <c>1</c>. Throws when
    /// <paramref name="ci"/> says this is a CI run (<c>true</c> or <c>1</c>): accepting is a person's
    /// decision after reading the diff, and in CI it would turn every snapshot test green unseen.
    /// </summary>
    public static bool Accepting(string? acceptSnapshots, string? ci)
    {
        if (acceptSnapshots != "1")
        {
            return false;
        }

        if (string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) || ci == "1")
        {
            throw new InvalidOperationException(
                "MINT_ACCEPT_SNAPSHOTS=1 is refused under CI=true: accept snapshots locally after reviewing the *.received.cs diff, and commit them.");
        }

        return true;
    }
}
