using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Analyzers.Ranks;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT042: a constant dimension that a parameter's declared rank does not have.</summary>
public sealed class DeclaredRankAnalyzerTests
{
    [Fact]
    public Task Candidates_read_from_log_probs_declared_one_per_position_is_MINT042_naming_shape_rank_and_dim() => Verify.Diagnostics<DeclaredRankAnalyzer>(
        InLossClass("""
            [Loss("l")]
            public static LossResult Choice(Tensor logprobs, Tensor weights) =>
                new(((logprobs.logsumexp({|#0:2|}) - logprobs) * weights).sum());
        """),
        new DiagnosticResult(DiagnosticDescriptors.DimensionOutsideDeclaredRank).WithLocation(0).WithArguments("logprobs", "Choice", "[datums, tokens]", "PerToken", 2));

    [Fact]
    public Task Per_datum_inputs_and_pair_halves_have_their_declared_dimensions_only() => Verify.Diagnostics<DeclaredRankAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Dpo(
                Pair<Tensor> logprobs,
                [LossInput(Rank = InputRank.PerDatum)] Pair<Tensor> reference,
                Pair<Tensor> weights)
            {
                var chosen = (logprobs.Chosen * weights.Chosen).sum(1) - reference.Chosen.sum({|MINT042:1|});
                var rejected = logprobs.Rejected.sum({|MINT042:-3|}) - reference.Rejected.mean(new long[] { 0, {|MINT042:1|} });
                return new(-functional.logsigmoid(chosen - rejected).mean());
            }
        """).Replace("using static TorchSharp.torch;", "using static TorchSharp.torch;\nusing static TorchSharp.torch.nn;"));

    [Fact]
    public Task Dimensions_the_declared_ranks_have_report_nothing() => Verify.Diagnostics<DeclaredRankAnalyzer>(InLossClass("""
            [Loss("choice")]
            public static LossResult Choice(
                [TargetLogprobs(Rank = InputRank.KPerToken)] Tensor logprobs,
                [LossInput(Rank = InputRank.KPerToken)] Tensor answer,
                Tensor weights,
                [LossInput(Rank = InputRank.PerDatum)] Tensor bias)
            {
                var nll = logsumexp(logprobs, 2) - (logprobs * answer).sum(-1);
                return new(((nll * weights).sum(1) + bias).sum() + weights.unsqueeze(2).sum() + bias.unsqueeze(1).sum());
            }
        """));
}
