using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Analyzers.Gradients;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT014: in-place ops on the log-probs, directly, through a pair member or an alias; nowhere else.</summary>
public sealed class InPlaceLogprobsAnalyzerTests
{
    [Fact]
    public Task Add_in_place_on_logprobs_is_MINT014_naming_op_parameter_method_and_twin() => Verify.Diagnostics<InPlaceLogprobsAnalyzer>(
        InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                logprobs.{|#0:add_(weights)|};
                return new(-logprobs.sum());
            }
        """),
        new DiagnosticResult(DiagnosticDescriptors.InPlaceOnLogprobs).WithLocation(0).WithArguments("add_", "logprobs", "Sft", "add"));

    [Fact]
    public Task In_place_ops_on_marked_logprobs_pair_members_and_aliases_are_MINT014() => Verify.Diagnostics<InPlaceLogprobsAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Scaled([TargetLogprobs] Tensor policy, Tensor weights)
            {
                var alias = policy;
                alias.{|MINT014:mul_(2)|};
                var e = policy.{|MINT014:exp_()|};
                policy.{|MINT014:clamp_(-10, 0)|};
                return new(-(e * weights).sum());
            }

            [Loss("p")]
            public static LossResult Paired(Pair<Tensor> logprobs)
            {
                logprobs.Chosen.{|MINT014:sub_(1)|};
                logprobs.Rejected.{|MINT014:div_(2)|};
                return new(-(logprobs.Chosen - logprobs.Rejected).sum());
            }
        """));

    [Fact]
    public Task Out_of_place_ops_and_in_place_ops_on_other_tensors_are_fine() => Verify.Diagnostics<InPlaceLogprobsAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var mask = weights.clone();
                mask.clamp_(0, 1);
                var shifted = logprobs.add(1).mul(mask);
                shifted.exp_();
                return new(-shifted.sum());
            }

            public static void NotALoss(Tensor logprobs) => logprobs.add_(1);
        """));
}
