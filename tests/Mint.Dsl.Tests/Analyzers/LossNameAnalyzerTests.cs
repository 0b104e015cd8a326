using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Analyzers.Names;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT010 and MINT011: one name, one loss; built-in names belong to the built-ins.</summary>
public sealed class LossNameAnalyzerTests
{
    [Fact]
    public Task Two_losses_with_one_name_are_both_MINT010_each_naming_the_other() => Verify.Diagnostics<LossNameAnalyzer>(
        Usings + """
        public static partial class SftLosses
        {
            [Loss({|#0:"sft"|})] public static LossResult Sft(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());
        }

        public static partial class OtherLosses
        {
            [Loss({|#1:"sft"|})] public static LossResult Plain(Tensor logprobs) => new(-logprobs.sum());
        }
        """,
        new DiagnosticResult(DiagnosticDescriptors.DuplicateLossName).WithLocation(0).WithArguments("sft", "SftLosses.Sft", "OtherLosses.Plain"),
        new DiagnosticResult(DiagnosticDescriptors.DuplicateLossName).WithLocation(1).WithArguments("sft", "OtherLosses.Plain", "SftLosses.Sft"));

    [Theory]
    [InlineData("cross_entropy")]
    [InlineData("importance_sampling")]
    [InlineData("ppo")]
    [InlineData("cispo")]
    [InlineData("dro")]
    public Task A_custom_loss_named_like_a_builtin_is_MINT011(string name) => Verify.Diagnostics<LossNameAnalyzer>(
        InLossClass($$"""
            [Loss({|#0:"{{name}}"|})] public static LossResult Mine(Tensor logprobs) => new(-logprobs.sum());
        """),
        new DiagnosticResult(DiagnosticDescriptors.LossShadowsBuiltin).WithLocation(0).WithArguments("Mine", name));

    [Fact]
    public Task Distinct_names_and_names_that_only_resemble_builtins_report_nothing() => Verify.Diagnostics<LossNameAnalyzer>(InLossClass("""
            [Loss("sft")] public static LossResult Sft(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());
            [Loss("ppo_v2")] public static LossResult PpoV2(Tensor logprobs) => new(-logprobs.sum());
            [Loss("Cross_Entropy")] public static LossResult Other(Tensor logprobs) => new(-logprobs.sum());
        """));
}
