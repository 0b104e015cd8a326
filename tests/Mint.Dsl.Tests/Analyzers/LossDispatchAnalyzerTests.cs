using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Analyzers.Dispatch;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT015–MINT017: built-ins go through ForwardBackwardAsync, custom losses through ForwardBackwardCustomAsync.</summary>
public sealed class LossDispatchAnalyzerTests
{
    private const string Calls = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Mint.Client;

        public static partial class Losses
        {
            [Loss("dpo")]
            public static LossResult Dpo(Pair<Tensor> logprobs, Pair<Tensor> referenceLogprobs, double beta = 0.1) =>
                new(-(beta * (logprobs.Chosen - referenceLogprobs.Chosen - logprobs.Rejected + referenceLogprobs.Rejected)).sum());
        }

        public static class Training
        {
            public static async Task Step(TrainingClient training, IReadOnlyList<Datum> batch)
            {
        """;

    private static string Training(string body) => Usings + Calls + body + "\n        }\n}\n";

    [Fact]
    public Task A_builtin_through_the_custom_path_is_MINT015_suggesting_its_LossFn() => Verify.Diagnostics<LossDispatchAnalyzer>(
        Training("""
            await training.ForwardBackwardCustomAsync(batch, {|#0:BuiltinLosses.PpoLoss|});
            await training.ForwardBackwardCustomAsync(batch, {|#1:BuiltinLosses.CrossEntropyLoss|});
            await training.ForwardBackwardCustomAsync(batch, {|#2:BuiltinLosses.DroLoss.With(beta: 0.2)|});
        """),
        new DiagnosticResult(DiagnosticDescriptors.BuiltinThroughCustomPath).WithLocation(0).WithArguments("BuiltinLosses.PpoLoss", "ppo", "LossFn.Ppo()"),
        new DiagnosticResult(DiagnosticDescriptors.BuiltinThroughCustomPath).WithLocation(1).WithArguments("BuiltinLosses.CrossEntropyLoss", "cross_entropy", "LossFn.CrossEntropy"),
        new DiagnosticResult(DiagnosticDescriptors.BuiltinThroughCustomPath).WithLocation(2).WithArguments("BuiltinLosses.DroLoss.With(beta: 0.2)", "dro", "LossFn.Dro(beta: 0.2)"));

    [Fact]
    public Task MINT015_keeps_the_config_the_call_bound() => Verify.Diagnostics<LossDispatchAnalyzer>(
        Training("""
            await training.ForwardBackwardCustomAsync(batch, {|#0:BuiltinLosses.PpoLoss.With(clipHighThreshold: 1.3)|});
            await training.ForwardBackwardCustomAsync(batch, {|#1:BuiltinLosses.CispoLoss.WithConfig(new Dictionary<string, double> { ["clip_high_threshold"] = 2.0 })|});
            await training.ForwardBackwardCustomAsync(batch, {|#2:BuiltinLosses.DroLoss|});
        """),
        new DiagnosticResult(DiagnosticDescriptors.BuiltinThroughCustomPath).WithLocation(0)
            .WithArguments("BuiltinLosses.PpoLoss.With(clipHighThreshold: 1.3)", "ppo", "LossFn.Ppo(clipHighThreshold: 1.3)"),
        new DiagnosticResult(DiagnosticDescriptors.BuiltinThroughCustomPath).WithLocation(1)
            .WithArguments("BuiltinLosses.CispoLoss.WithConfig(new Dictionary<string, double> { [\"clip_high_threshold\"] = 2.0 })", "cispo",
                "LossFn.FromName(\"cispo\", new Dictionary<string, double> { [\"clip_high_threshold\"] = 2.0 })"),
        new DiagnosticResult(DiagnosticDescriptors.BuiltinThroughCustomPath).WithLocation(2).WithArguments("BuiltinLosses.DroLoss", "dro", "LossFn.Dro(beta: …)"));

    [Fact]
    public Task A_custom_loss_named_in_ForwardBackwardAsync_is_MINT016_naming_its_definition() => Verify.Diagnostics<LossDispatchAnalyzer>(
        Training("""
            await training.ForwardBackwardAsync(batch, {|#0:LossFn.FromName("dpo")|});
        """),
        new DiagnosticResult(DiagnosticDescriptors.CustomThroughBuiltinPath).WithLocation(0).WithArguments("LossFn.FromName(\"dpo\")", "Losses.Dpo", "Losses.DpoLoss"));

    [Fact]
    public Task A_name_that_is_no_builtin_is_MINT017_listing_the_builtins() => Verify.Diagnostics<LossDispatchAnalyzer>(
        Training("""
            await training.ForwardBackwardAsync(batch, LossFn.FromName({|#0:"pop"|}));
            var custom = LossFn.FromName({|#1:"dpo"|});
        """),
        new DiagnosticResult(DiagnosticDescriptors.UnknownBuiltinName).WithLocation(0).WithArguments("pop", "cispo, cross_entropy, dro, importance_sampling, ppo"),
        new DiagnosticResult(DiagnosticDescriptors.UnknownBuiltinName).WithLocation(1).WithArguments("dpo", "cispo, cross_entropy, dro, importance_sampling, ppo"));

    [Fact]
    public Task Losses_on_their_own_path_report_nothing() => Verify.Diagnostics<LossDispatchAnalyzer>(Training("""
            await training.ForwardBackwardAsync(batch, LossFn.Ppo(clipHighThreshold: 1.3));
            await training.ForwardBackwardAsync(batch, LossFn.FromName("dro", new Dictionary<string, double> { ["beta"] = 0.1 }));
            await training.ForwardBackwardCustomAsync(batch, Losses.DpoLoss);
            await training.ForwardBackwardCustomAsync(batch, Losses.DpoLoss.With(beta: 0.5));
            var name = "dpo";
            await training.ForwardBackwardAsync(batch, LossFn.FromName(name));
        """));
}
