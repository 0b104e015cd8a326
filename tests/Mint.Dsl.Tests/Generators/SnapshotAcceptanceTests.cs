using System;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Generators;

/// <summary>
/// Accepting snapshots rewrites the baselines, so every snapshot test passes: allowed on a
/// developer's machine, refused in CI. The decision is tested directly, because setting the
/// variables in this process would make the snapshot tests running beside it accept their output.
/// </summary>
public sealed class SnapshotAcceptanceTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("1")]
    public void Accepting_snapshots_is_refused_under_ci(string ci)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SnapshotAssert.Accepting("1", ci));

        Assert.StartsWith("MINT_ACCEPT_SNAPSHOTS=1 is refused under CI=true", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("")]
    public void Accepting_snapshots_works_outside_ci(string? ci) => Assert.True(SnapshotAssert.Accepting("1", ci));

    [Theory]
    [InlineData(null, "true")]
    [InlineData("0", null)]
    [InlineData("yes", null)]
    public void Without_the_setting_nothing_is_accepted_and_ci_runs_normally(string? accept, string? ci) =>
        Assert.False(SnapshotAssert.Accepting(accept, ci));
}
