using System;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Generators;

/// <summary>
/// A loss whose signature breaks a rule gets no generated code. The generator stays silent: the
/// analyzers report the rule (Analyzers/LossSignatureAnalyzerTests), so a build reports it once.
/// </summary>
public sealed class GeneratorDiagnosticsTests
{
    private const string Usings = "using Mint.Dsl;\nusing static TorchSharp.torch;\n";

    [Theory]
    [InlineData("partial", "[Loss(\"l\")] public LossResult Sft(Tensor logprobs) => new(logprobs.sum());")]
    [InlineData("static", "[Loss(\"l\")] public static LossResult Sft(Tensor logprobs) => new(logprobs.sum());")]
    [InlineData("static partial", "[Loss(\"l\")] public static LossResult Sft<T>(Tensor logprobs) => new(logprobs.sum());")]
    [InlineData("static partial", "[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, ref double beta) => new(logprobs.sum());")]
    [InlineData("static partial", "[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, string mode) => new(logprobs.sum());")]
    [InlineData("static partial", "[Loss(\"l\")] public static LossResult Sft(Tensor weights) => new(weights.sum());")]
    [InlineData("static partial", "[Loss(\"l\")] public static Tensor Sft(Tensor logprobs) => logprobs.sum();")]
    [InlineData("static partial", "[Loss(\"l\")] public static LossResult Bt(Pair<Tensor> logprobs, Tensor weights) => new(logprobs.Chosen.sum());")]
    [InlineData("static partial", "[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, Tensor weights, [LossInput(\"weights\")] Tensor mask) => new(logprobs.sum());")]
    public void A_loss_that_breaks_a_signature_rule_generates_nothing_and_reports_nothing(string typeModifiers, string body)
    {
        var (run, _) = GeneratorHarness.Run(Usings + $"public {typeModifiers} class Losses\n{{\n{body}\n}}\n");

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Correct_loss_reports_nothing_and_compiles()
    {
        var (run, errors) = GeneratorHarness.Run(Usings + "public static partial class Losses\n{\n[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());\n}\n");

        Assert.Empty(run.Diagnostics);
        Assert.Empty(errors);
        Assert.Single(GeneratorHarness.Definitions(run));
    }

    [Fact]
    public void A_float64_input_generates_code_that_compiles()
    {
        var (run, errors) = GeneratorHarness.Run(Usings + "public static partial class Losses\n{\n[Loss(\"l\")] public static LossResult Kl(Tensor logprobs, [LossInput(\"reference\", DType = TensorDType.Float64)] Tensor reference) => new((logprobs - reference).square().sum());\n}\n");

        Assert.Empty(run.Diagnostics);
        Assert.Empty(errors);
        Assert.Contains("check.Sequence(index, \"reference\", global::Mint.Dsl.TensorDType.Float64);", Assert.Single(GeneratorHarness.Definitions(run)).SourceText.ToString());
    }

    [Fact]
    public void A_bad_loss_does_not_stop_its_neighbours_from_generating()
    {
        var (run, _) = GeneratorHarness.Run(Usings + "public static partial class Losses\n{\n"
            + "[Loss(\"good\")] public static LossResult Good(Tensor logprobs) => new(logprobs.sum());\n"
            + "[Loss(\"bad\")] public static LossResult Bad(Tensor weights) => new(weights.sum());\n}\n");

        Assert.Equal(["Losses.Good.Graph.g.cs", "Losses.Good.g.cs"], run.GeneratedSources.Select(generated => generated.HintName).Order(StringComparer.Ordinal));
        Assert.True(GeneratorHarness.Definitions(run).All(generated => generated.SourceText.ToString().Contains("[global::System.CodeDom.Compiler.GeneratedCode(")));
    }
}
