using System.Threading.Tasks;
using Mint.Dsl.Analyzers.Gradients;
using Mint.Dsl.CodeFixes;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT014's fix: the out-of-place twin, assigned back when the call was a statement.</summary>
public sealed class OutOfPlaceCodeFixTests
{
    [Fact]
    public Task A_statement_becomes_an_assignment_and_a_used_result_a_plain_call() => Verify.Fix<InPlaceLogprobsAnalyzer, OutOfPlaceCodeFix>(
        InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                logprobs.{|MINT014:clamp_(-20, 0)|};
                var probabilities = logprobs.{|MINT014:exp_()|};
                return new(-(logprobs * weights).sum() + probabilities.mean());
            }
        """),
        InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                logprobs = logprobs.clamp(-20, 0);
                var probabilities = logprobs.exp();
                return new(-(logprobs * weights).sum() + probabilities.mean());
            }
        """));

    [Fact]
    public Task A_statement_on_a_pair_member_is_left_for_the_user() => Verify.Fix<InPlaceLogprobsAnalyzer, OutOfPlaceCodeFix>(
        InLossClass("""
            [Loss("p")]
            public static LossResult Paired(Pair<Tensor> logprobs)
            {
                logprobs.Chosen.{|MINT014:mul_(2)|};
                return new(-(logprobs.Chosen - logprobs.Rejected).sum());
            }
        """),
        InLossClass("""
            [Loss("p")]
            public static LossResult Paired(Pair<Tensor> logprobs)
            {
                logprobs.Chosen.{|MINT014:mul_(2)|};
                return new(-(logprobs.Chosen - logprobs.Rejected).sum());
            }
        """));
}
