using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Analyzers.Terms;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT040: term and metric names that LossResult would refuse at run time.</summary>
public sealed class LossTermNameAnalyzerTests
{
    [Fact]
    public Task A_term_added_twice_to_one_result_is_MINT040_naming_term_method_and_reason() => Verify.Diagnostics<LossTermNameAnalyzer>(
        InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                return new LossResult(-(logprobs * weights).sum())
                    .Term("l2", logprobs.square().sum(), 0.01)
                    .Term({|#0:"l2"|}, logprobs.abs().sum(), 0.01);
            }
        """),
        new DiagnosticResult(DiagnosticDescriptors.InvalidLossTermName).WithLocation(0).WithArguments("Term", "l2", "Sft", "is already a term of this result"));

    [Fact]
    public Task Reserved_and_malformed_names_are_MINT040() => Verify.Diagnostics<LossTermNameAnalyzer>(InLossClass("""
            private const string Base = "base";

            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var nll = -(logprobs * weights).sum();
                return new LossResult(nll)
                    .Term({|MINT040:Base|}, nll)
                    .Term({|MINT040:"kl/token"|}, nll, weight: 0.5)
                    .Term(weight: 2, value: nll, name: {|MINT040:""|})
                    .Metric({|MINT040:"terms/tokens"|}, weights.sum());
            }
        """));

    [Fact]
    public Task Distinct_names_the_same_name_in_separate_results_and_names_outside_losses_are_fine() => Verify.Diagnostics<LossTermNameAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights, bool sparse = false)
            {
                var nll = -(logprobs * weights).sum();
                if (sparse)
                {
                    return new LossResult(nll).Term("l1", logprobs.abs().sum(), 0.1).Metric("tokens", weights.sum());
                }

                return new LossResult(nll).Term("l1", logprobs.abs().sum(), 0.2).Term("l2", logprobs.square().sum(), 0.1);
            }

            public static LossResult NotALoss(Tensor x) => new LossResult(x).Term("base", x).Metric("terms/x", x);
        """));
}
