using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Analyzers.Gradients;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>
/// MINT012 and MINT013: gradient breaks on values that flow from the log-probs into the returned
/// loss, and only those: what feeds a metric, or does not come from the log-probs, is left alone.
/// </summary>
public sealed class GradientBreakAnalyzerTests
{
    [Fact]
    public Task Item_flowing_into_the_loss_is_MINT012_naming_call_and_method() => Verify.Diagnostics<GradientBreakAnalyzer>(
        InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var total = (logprobs * weights).sum().{|#0:item<float>()|};
                return new LossResult(tensor(-total));
            }
        """),
        new DiagnosticResult(DiagnosticDescriptors.GradientLeavesGraph).WithLocation(0).WithArguments("item<float>()", "Sft"));

    [Fact]
    public Task Item_flowing_into_a_loss_term_is_MINT012() => Verify.Diagnostics<GradientBreakAnalyzer>(
        InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var penalty = logprobs.square().sum().{|#0:item<float>()|};
                return new LossResult(-(logprobs * weights).sum()).Term("l2", tensor(penalty), weight: 0.1);
            }
        """),
        new DiagnosticResult(DiagnosticDescriptors.GradientLeavesGraph).WithLocation(0).WithArguments("item<float>()", "Sft"));

    [Fact]
    public Task Item_used_only_for_a_metric_is_fine() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var loss = -(logprobs * weights).sum();
                var tokens = weights.sum().item<float>();
                var perToken = loss.item<float>() / tokens;
                return new LossResult(loss).Metric("loss_per_token", perToken);
            }
        """));

    [Fact]
    public Task Scalar_conversions_and_casts_into_the_loss_are_MINT012() => Verify.Diagnostics<GradientBreakAnalyzer>("using TorchSharp;\n" + InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                double total = logprobs.sum().{|MINT012:ToDouble()|};
                float mean = logprobs.mean().{|MINT012:ToSingle()|};
                var scale = {|MINT012:(float)logprobs.max()|};
                return new(tensor(total + mean * scale) * weights.sum());
            }
        """));

    [Fact]
    public Task A_cpu_data_round_trip_into_the_loss_is_MINT012() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var values = logprobs.cpu().{|MINT012:data<float>()|}.ToArray();
                var copy = tensor(values).reshape(logprobs.shape);
                return new(-(copy * weights).sum());
            }
        """));

    [Fact]
    public Task Scalars_read_from_inputs_other_than_the_logprobs_are_fine() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Normalised(Tensor logprobs, Tensor weights)
            {
                var tokens = weights.sum().item<float>();
                return new(-(logprobs * weights).sum() / tokens);
            }
        """));

    [Fact]
    public Task Detach_that_cuts_every_path_is_MINT013() => Verify.Diagnostics<GradientBreakAnalyzer>(
        InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var frozen = logprobs.{|#0:detach()|};
                return new(-(frozen * weights).sum());
            }
        """),
        new DiagnosticResult(DiagnosticDescriptors.GradientSevered).WithLocation(0).WithArguments("detach()", "Sft"));

    [Fact]
    public Task Detach_of_one_factor_as_in_cispo_is_fine() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Clipped(Tensor logprobs, Tensor samplingLogprobs, Tensor advantages)
            {
                var clipped = (logprobs - samplingLogprobs).exp().clamp(0.0, 4.0);
                return new(-(clipped.detach() * logprobs * advantages).sum());
            }
        """));

    [Fact]
    public Task No_grad_scope_around_the_loss_is_MINT013() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                using (TorchSharp.torch.{|MINT013:no_grad()|})
                {
                    var loss = -(logprobs * weights).sum();
                    return new(loss);
                }
            }
        """));

    [Fact]
    public Task Using_declaration_of_no_grad_before_the_loss_is_MINT013() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                using var scope = {|MINT013:no_grad()|};
                return new(-(logprobs * weights).sum());
            }
        """));

    [Fact]
    public Task No_grad_scope_for_a_metric_only_is_fine() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var loss = -(logprobs * weights).sum();
                Tensor entropy;
                using (no_grad())
                {
                    entropy = -(logprobs.exp() * logprobs).sum();
                }

                return new LossResult(loss).Metric("entropy", entropy);
            }
        """));

    [Fact]
    public Task Breaks_are_followed_through_reassigned_locals_and_helpers() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("l")]
            public static LossResult Sft(Tensor logprobs, Tensor weights)
            {
                var scale = 1.0;
                var loss = -(logprobs * weights).sum();
                scale = System.Math.Max(scale, loss.{|MINT012:item<double>()|});
                loss = loss / scale;
                return new(Helper(loss));
            }

            private static Tensor Helper(Tensor value) => value * 2;
        """));

    [Fact]
    public Task Samples_shape_with_metrics_reports_nothing() => Verify.Diagnostics<GradientBreakAnalyzer>(InLossClass("""
            [Loss("pairwise_preference")]
            public static LossResult PairwisePreference(Pair<Tensor> logprobs, Pair<Tensor> weights)
            {
                var margins = (logprobs.Chosen * weights.Chosen).sum(1) - (logprobs.Rejected * weights.Rejected).sum(1);
                return new LossResult(-TorchSharp.torch.nn.functional.logsigmoid(margins).mean())
                    .Metric("pair_accuracy", (margins > 0).to(float32).mean())
                    .Metric("max_margin", margins.max().item<float>());
            }
        """));
}
