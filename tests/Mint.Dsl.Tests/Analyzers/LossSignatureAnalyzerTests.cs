using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Analyzers.Signature;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT001–MINT009 and MINT041 fire live, at the exact span, from the generator's own signature rules.</summary>
public sealed class LossSignatureAnalyzerTests
{
    [Fact]
    public Task Instance_loss_method_is_MINT001() => Verify.Diagnostics<LossSignatureAnalyzer>(Usings + """
        public partial class Losses
        {
            [Loss("l")] public LossResult {|MINT001:Sft|}(Tensor logprobs) => new(logprobs.sum());
        }
        """);

    [Fact]
    public Task Non_partial_containing_type_is_MINT002() => Verify.Diagnostics<LossSignatureAnalyzer>(Usings + """
        public static class {|MINT002:Losses|}
        {
            [Loss("l")] public static LossResult Sft(Tensor logprobs) => new(logprobs.sum());
        }
        """);

    [Fact]
    public Task Every_non_partial_enclosing_type_is_MINT002() => Verify.Diagnostics<LossSignatureAnalyzer>(Usings + """
        public static class {|MINT002:Outer|}
        {
            public static partial class Middle
            {
                public static class {|MINT002:Inner|}
                {
                    [Loss("l")] public static LossResult Sft(Tensor logprobs) => new(logprobs.sum());
                }
            }
        }
        """);

    [Fact]
    public Task Generic_loss_method_is_MINT003() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult {|MINT003:Sft|}<T>(Tensor logprobs) => new(logprobs.sum());
        """));

    [Fact]
    public Task Async_loss_method_is_MINT003_and_its_task_return_is_MINT007() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")]
            public static async {|MINT007:System.Threading.Tasks.Task<LossResult>|} {|MINT003:Sft|}(Tensor logprobs)
            {
                await System.Threading.Tasks.Task.Yield();
                return new(logprobs.sum());
            }
        """));

    [Fact]
    public Task Ref_parameter_is_MINT004() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult Sft(Tensor logprobs, {|MINT004:ref double beta|}) => new(logprobs.sum());
        """));

    [Fact]
    public Task String_parameter_is_MINT005_and_the_message_names_it_and_the_config_types() => Verify.Diagnostics<LossSignatureAnalyzer>(
        InLossClass("""
            [Loss("l")] public static LossResult Sft(Tensor logprobs, {|#0:string mode|}) => new(logprobs.sum());
        """),
        new DiagnosticResult(DiagnosticDescriptors.UnsupportedParameterType).WithLocation(0).WithArguments("mode", "Sft", "string"));

    [Fact]
    public Task Decimal_config_is_MINT005() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult Sft(Tensor logprobs, {|MINT005:decimal beta = 0.1m|}) => new(logprobs.sum());
        """));

    [Fact]
    public Task Missing_logprobs_is_MINT006() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult {|MINT006:Sft|}(Tensor weights) => new(weights.sum());
        """));

    [Fact]
    public Task Tensor_return_is_MINT007() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static {|MINT007:Tensor|} Sft(Tensor logprobs) => logprobs.sum();
        """));

    [Fact]
    public Task Per_datum_tensor_beside_pairs_is_MINT008() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult Bt(Pair<Tensor> logprobs, {|MINT008:Tensor weights|}) => new(logprobs.Chosen.sum());
        """));

    [Fact]
    public Task Two_parameters_on_one_key_is_MINT009() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult {|MINT009:Sft|}(Tensor logprobs, Tensor weights, [LossInput("weights")] Tensor mask) => new(logprobs.sum());
        """));

    [Fact]
    public Task Per_datum_log_probs_are_MINT041() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult Sft({|MINT041:[TargetLogprobs(Rank = InputRank.PerDatum)] Tensor logprobs|}) => new(logprobs.sum());
        """));

    [Fact]
    public Task A_candidate_input_without_multi_target_log_probs_is_MINT041() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult Choice(Tensor logprobs, {|MINT041:[LossInput(Rank = InputRank.KPerToken)] Tensor answer|}) => new((logprobs * answer.sum(2)).sum());
        """));

    [Fact]
    public Task Target_tokens_of_another_rank_than_the_log_probs_is_MINT041() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Choice(
                [TargetLogprobs(Rank = InputRank.KPerToken)] Tensor logprobs,
                {|MINT041:[LossInput(Rank = InputRank.PerToken)] Tensor targetTokens|}) => new(logprobs.sum());
        """));

    [Fact]
    public Task Declared_ranks_that_hold_report_nothing() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("choice")]
            public static LossResult Choice(
                [TargetLogprobs(Rank = InputRank.KPerToken)] Tensor logprobs,
                [LossInput(Rank = InputRank.KPerToken)] Tensor answer,
                [LossInput(DType = TensorDType.Int64)] Tensor targetTokens,
                [LossInput("ref", Rank = InputRank.PerDatum)] Tensor reference) => new((logprobs * answer).sum() - reference.sum());
        """));

    [Fact]
    public Task Correct_losses_report_nothing_including_required_config_without_default() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("sft")] public static LossResult Sft(Tensor logprobs, Tensor weights) => new(-(logprobs * weights).sum());

            [Loss("kl")]
            public static LossResult Kl([TargetLogprobs] Tensor policy, Tensor referenceLogprobs, double beta, bool normalize = false, int window = 4, long seed = 1L, float scale = 1f) =>
                new((beta * scale * (policy - referenceLogprobs)).sum());

            [Loss("bt")]
            public static LossResult Bt(Pair<Tensor> logprobs, Pair<Tensor> weights, double margin = 0.0) =>
                new(-(logprobs.Chosen * weights.Chosen - logprobs.Rejected * weights.Rejected).sum() + margin);

            public static LossResult NotALoss(string anything) => new(zeros(1));
        """));

    [Fact]
    public Task A_config_order_naming_no_config_parameter_is_MINT030() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")]
            [{|MINT030:LossConfigOrder(nameof(low), "weights")|}]
            public static LossResult Clip(Tensor logprobs, Tensor weights, double low = 0.1) => new(logprobs.sum() * low);
        """));

    [Fact]
    public Task A_range_with_min_above_max_is_MINT030() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult Scaled(Tensor logprobs, {|MINT030:[LossConfig(Min = 2, Max = 1)] double scale|}) => new(logprobs.sum() * scale);
        """));

    [Fact]
    public Task A_default_outside_its_range_is_MINT030() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")] public static LossResult Scaled(Tensor logprobs, {|MINT030:[LossConfig("s", Max = 1)] double scale = 3|}) => new(logprobs.sum() * scale);
        """));

    [Fact]
    public Task Defaults_that_break_their_declared_order_are_MINT030() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")]
            [{|MINT030:LossConfigOrder(nameof(low), nameof(high))|}]
            public static LossResult Clip(Tensor logprobs, double low = 2, double high = 1) => new(logprobs.clamp(low, high).sum());
        """));

    [Fact]
    public Task Ranges_and_orders_that_can_hold_report_nothing() => Verify.Diagnostics<LossSignatureAnalyzer>(InLossClass("""
            [Loss("l")]
            [LossConfigOrder(nameof(low), nameof(high))]
            public static LossResult Clip(Tensor logprobs, [LossConfig(Min = 0)] double low = 0.5, [LossConfig("upper", Min = 0, Max = 10)] double high = 2, double free = -1) =>
                new(logprobs.clamp(low, high).sum() * free);
        """));
}
