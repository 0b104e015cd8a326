using System.Threading.Tasks;
using Mint.Dsl.Analyzers.Lowering;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT018/MINT019: each construct that keeps a loss off the server is reported on its own expression.</summary>
public sealed class LossLoweringAnalyzerTests
{
    private const string Header = """
        using Mint.Dsl;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        public static partial class Losses
        {

        """;

    private static Task Verify(string members) => Support.Verify.Diagnostics<LossLoweringAnalyzer>(Header + members + "\n}\n");

    [Fact]
    public Task Builtin_style_bodies_lower_and_report_nothing() => Verify("""
        [Loss("kl_policy")]
        public static LossResult KlPolicy(Tensor logprobs, Tensor samplingLogprobs, Tensor advantages, Tensor referenceLogprobs, double klCoef = 0.05)
        {
            var ratio = (logprobs - samplingLogprobs).exp();
            var kl = (referenceLogprobs - logprobs).exp() - (referenceLogprobs - logprobs) - 1;
            var pg = minimum(ratio * advantages, ratio.clamp(0.8, 1.2) * advantages);
            return new LossResult(-(pg - klCoef * kl).sum())
                .Metric("kl", kl.mean())
                .Metric("clipped", (ratio > 1.2).to(float32).mean())
                .Metric("coef", klCoef);
        }

        [Loss("bt")]
        public static LossResult Bt(Pair<Tensor> logprobs, Pair<Tensor> weights)
        {
            var margins = (logprobs.Chosen * weights.Chosen).sum(1) - (logprobs.Rejected * weights.Rejected).sum(1);
            return new(functional.softplus(-margins).mean() + where(margins > 0, margins, -margins).mean(new long[] { 0 }) * 0);
        }
        """);

    [Fact]
    public Task A_call_into_a_helper_method_is_reported_on_the_call() => Verify("""
        [Loss("helper")]
        public static LossResult WithHelper(Tensor logprobs, Tensor weights) => new({|MINT018:Scaled(logprobs)|}.sum());

        private static Tensor Scaled(Tensor x) => x * 2;
        """);

    [Fact]
    public Task Item_and_casts_to_numbers_are_reported() => Verify("""
        [Loss("item")]
        public static LossResult Item(Tensor logprobs)
        {
            var total = {|MINT018:logprobs.sum().item<float>()|};
            var mean = {|MINT018:(double)logprobs.mean()|};
            return new((logprobs * total * mean).sum());
        }
        """);

    [Fact]
    public Task Conditionals_if_statements_and_loops_are_reported() => Verify("""
        [Loss("flow")]
        public static LossResult Flow(Tensor logprobs, bool negate = false, int steps = 2)
        {
            var x = {|MINT018:negate ? -logprobs : logprobs|};
            {|MINT018:if (negate)
            {
                x = -x;
            }|}
            {|MINT018:for (var step = 0; step < steps; step++)
            {
                x = x * 2;
            }|}
            return new(x.sum());
        }
        """);

    [Fact]
    public Task Dotnet_math_ops_outside_the_set_and_non_default_arguments_are_reported() => Verify("""
        [Loss("outside")]
        public static LossResult Outside(Tensor logprobs, double temperature = 2)
        {
            var scaled = logprobs * {|MINT018:System.Math.Exp(temperature)|};
            var soft = {|MINT018:scaled.softmax(1)|};
            var smooth = functional.softplus(scaled, {|MINT018:2|});
            return new((soft + smooth).sum());
        }
        """);

    [Fact]
    public Task Terms_lower_with_constant_names_and_number_weights_and_nothing_else() => Verify("""
        [Loss("composed")]
        public static LossResult Composed(Tensor logprobs, Tensor weights, double klWeight = 0.1)
        {
            var nll = -(logprobs * weights).sum();
            return new LossResult(nll)
                .Term("l2", logprobs.square().sum(), klWeight)
                .Term(weight: 2, value: logprobs.abs().sum(), name: "l1")
                .Metric("tokens", weights.sum());
        }

        private static readonly string TermName = "x";

        [Loss("bad_terms")]
        public static LossResult BadTerms(Tensor logprobs, Tensor weights)
        {
            var nll = -(logprobs * weights).sum();
            return new LossResult(nll)
                .Term({|MINT018:TermName|}, nll)
                .Term("scale", nll, {|MINT018:System.Math.Exp(2.0)|});
        }
        """);

    [Fact]
    public Task A_loss_that_requires_server_execution_makes_each_problem_an_error() => Verify("""
        [Loss("strict", RequireServerExecution = true)]
        public static LossResult Strict(Tensor logprobs, Tensor weights)
        {
            var first = {|MINT019:Scaled(logprobs)|};
            var second = {|MINT019:logprobs.sum().item<float>()|};
            return new((first * weights * second).sum());
        }

        private static Tensor Scaled(Tensor x) => x * 2;
        """);
}
