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
        Assert.Contains("\"advantages\"", GeneratorHarness.Definitions(rerun).Single().SourceText.ToString());
    }

    [Fact]
    public void Editing_a_loss_body_leaves_the_definition_unchanged_and_relowers_only_the_graph()
    {
        var compilation = GeneratorHarness.Compilation(Losses);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(Losses.Replace("-(logprobs * weights).sum()", "-(weights * logprobs).sum()"), (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Source0.cs"));
        var rerun = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // The model holds only the signature, so a body edit yields an equal model: the definition is not
        // re-emitted. The graph is the body's, so it is (the product's operands swapped).
        Assert.Equal(IncrementalStepRunReason.Unchanged, rerun.TrackedSteps[TrackingNames.ParsedLosses].SelectMany(step => step.Outputs).Single().Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, rerun.TrackedSteps[TrackingNames.LoweredLosses].SelectMany(step => step.Outputs).Single().Reason);
    }

    [Fact]
    public void Of_200_losses_editing_one_signature_regenerates_only_that_one()
    {
        var sources = Enumerable.Range(0, 20).Select(LossFile).ToArray();
        var compilation = GeneratorHarness.Compilation(sources);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.ElementAt(7),
            CSharpSyntaxTree.ParseText(sources[7].Replace("Loss3(Tensor logprobs, Tensor weights) => new(-(logprobs * weights)", "Loss3(Tensor logprobs, Tensor advantages) => new(-(logprobs * advantages)"), (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Source7.cs"));
        var rerun = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var reasons = rerun.TrackedSteps[TrackingNames.ParsedLosses].SelectMany(step => step.Outputs).Select(output => output.Reason).ToList();
        Assert.Equal(200, reasons.Count);
        Assert.Equal(1, reasons.Count(reason => reason == IncrementalStepRunReason.Modified));
        Assert.Equal(199, reasons.Count(reason => reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        Assert.Equal(200, GeneratorHarness.Definitions(rerun).Length);
    }

    /// <summary>File <paramref name="file"/> of 20, each a class of 10 losses.</summary>
    private static string LossFile(int file) =>
        "using Mint.Dsl;\nusing static TorchSharp.torch;\n"
        + $"public static partial class Losses{file}\n{{\n"
        + string.Concat(Enumerable.Range(0, 10).Select(index =>
            $"    [Loss(\"loss_{file}_{index}\")] public static LossResult Loss{index}(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());\n"))
        + "}\n";
}
