using System.Linq;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Generators;

/// <summary>Each generator diagnostic fires on its mistake, at the exact span, and nothing is generated for that loss.</summary>
public sealed class GeneratorDiagnosticsTests
{
    private const string Usings = "using Mint.Dsl;\nusing static TorchSharp.torch;\n";

    private static void AssertDiagnostic(string body, string id, string spanText, string typeModifiers = "static partial")
    {
        var source = Usings + $"public {typeModifiers} class Losses\n{{\n{body}\n}}\n";
        var (run, _) = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(spanText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Instance_loss_method_is_MINT001()
    {
        AssertDiagnostic("[Loss(\"l\")] public LossResult Sft(Tensor logprobs) => new(logprobs.sum());", "MINT001", "Sft", "partial");
    }

    [Fact]
    public void Non_partial_containing_type_is_MINT002()
    {
        AssertDiagnostic("[Loss(\"l\")] public static LossResult Sft(Tensor logprobs) => new(logprobs.sum());", "MINT002", "Losses", "static");
    }

    [Fact]
    public void Generic_loss_method_is_MINT003()
    {
        AssertDiagnostic("[Loss(\"l\")] public static LossResult Sft<T>(Tensor logprobs) => new(logprobs.sum());", "MINT003", "Sft");
    }

    [Fact]
    public void Ref_parameter_is_MINT004()
    {
        AssertDiagnostic("[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, ref double beta) => new(logprobs.sum());", "MINT004", "ref double beta");
    }

    [Fact]
    public void String_parameter_is_MINT005()
    {
        AssertDiagnostic("[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, string mode) => new(logprobs.sum());", "MINT005", "string mode");
    }

    [Fact]
    public void Missing_logprobs_is_MINT006()
    {
        AssertDiagnostic("[Loss(\"l\")] public static LossResult Sft(Tensor weights) => new(weights.sum());", "MINT006", "Sft");
    }

    [Fact]
    public void Tensor_return_is_MINT007()
    {
        AssertDiagnostic("[Loss(\"l\")] public static Tensor Sft(Tensor logprobs) => logprobs.sum();", "MINT007", "Tensor");
    }

    [Fact]
    public void Per_datum_tensor_beside_pairs_is_MINT008()
    {
        AssertDiagnostic("[Loss(\"l\")] public static LossResult Bt(Pair<Tensor> logprobs, Tensor weights) => new(logprobs.Chosen.sum());", "MINT008", "Tensor weights");
    }

    [Fact]
    public void Two_parameters_on_one_key_is_MINT009()
    {
        AssertDiagnostic("[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, Tensor weights, [LossInput(\"weights\")] Tensor mask) => new(logprobs.sum());", "MINT009", "Sft");
    }

    [Fact]
    public void Correct_loss_reports_nothing_and_compiles()
    {
        var (run, errors) = GeneratorHarness.Run(Usings + "public static partial class Losses\n{\n[Loss(\"l\")] public static LossResult Sft(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());\n}\n");

        Assert.Empty(run.Diagnostics);
        Assert.Empty(errors);
        Assert.Single(run.GeneratedSources);
    }

    [Fact]
    public void A_bad_loss_does_not_stop_its_neighbours_from_generating()
    {
        var (run, _) = GeneratorHarness.Run(Usings + "public static partial class Losses\n{\n"
            + "[Loss(\"good\")] public static LossResult Good(Tensor logprobs) => new(logprobs.sum());\n"
            + "[Loss(\"bad\")] public static LossResult Bad(Tensor weights) => new(weights.sum());\n}\n");

        Assert.Equal("MINT006", Assert.Single(run.Diagnostics).Id);
        Assert.Equal("Losses.Good.g.cs", Assert.Single(run.GeneratedSources).HintName);
        Assert.True(run.GeneratedSources.All(generated => generated.SourceText.ToString().Contains("[global::System.CodeDom.Compiler.GeneratedCode(")));
    }
}
