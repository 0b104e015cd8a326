using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mint.Dsl.Generators;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Generators;

/// <summary>The pipeline's models are equatable, so unrelated edits leave loss outputs cached.</summary>
public sealed class IncrementalCachingTests
{
    private const string Losses = """
        using Mint.Dsl;
        using static TorchSharp.torch;
        public static partial class Losses
        {
            [Loss("sft")]
            public static LossResult Sft(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());
        }
        """;

    [Fact]
    public void Editing_an_unrelated_file_leaves_loss_outputs_cached()
    {
        var compilation = GeneratorHarness.Compilation(Losses, "public static class Other { public static int Value => 1; }");
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.ElementAt(1),
            CSharpSyntaxTree.ParseText("public static class Other { public static int Value => 2; }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Source1.cs"));
        var rerun = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var parsed = rerun.TrackedSteps[TrackingNames.ParsedLosses].SelectMany(step => step.Outputs).ToList();
        Assert.NotEmpty(parsed);
        Assert.All(parsed, output => Assert.Contains(output.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.All(rerun.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs),
            output => Assert.Contains(output.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void Editing_the_loss_signature_regenerates_it()
    {
        var compilation = GeneratorHarness.Compilation(Losses);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(Losses.Replace("Tensor weights", "Tensor advantages").Replace("* weights", "* advantages"), (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Source0.cs"));
        var rerun = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Contains(rerun.TrackedSteps[TrackingNames.ParsedLosses].SelectMany(step => step.Outputs), output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("\"advantages\"", rerun.GeneratedSources.Single().SourceText.ToString());
    }
}
