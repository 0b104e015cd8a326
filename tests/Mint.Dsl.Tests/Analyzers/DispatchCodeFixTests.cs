using System.Threading.Tasks;
using Mint.Dsl.Analyzers.Dispatch;
using Mint.Dsl.CodeFixes;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>MINT015 and MINT016's fix: call the dispatch method that matches the loss, with the matching argument.</summary>
public sealed class DispatchCodeFixTests
{
    private static string Training(string body) => Usings + """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Mint.Client;

        namespace Mine
        {
            public static partial class Losses
            {
                [Loss("dpo")]
                public static LossResult Dpo(Pair<Tensor> logprobs, Pair<Tensor> referenceLogprobs, double beta = 0.1) =>
                    new(-(beta * (logprobs.Chosen - referenceLogprobs.Chosen - logprobs.Rejected + referenceLogprobs.Rejected)).sum());
            }

            public static class Training
            {
                public static async Task Step(TrainingClient training, IReadOnlyList<Datum> batch, Dictionary<string, double> config)
                {
        """ + body + "\n            }\n        }\n    }\n";

    [Fact]
    public Task Builtins_move_to_ForwardBackwardAsync_with_their_LossFn() => Verify.Fix<LossDispatchAnalyzer, DispatchCodeFix>(
        Training("""
                    await training.ForwardBackwardCustomAsync(batch, {|MINT015:BuiltinLosses.PpoLoss|});
                    await training.ForwardBackwardCustomAsync(batch, {|MINT015:BuiltinLosses.CrossEntropyLoss|});
                    await training.ForwardBackwardCustomAsync(batch, {|MINT015:BuiltinLosses.CispoLoss.With(clipHighThreshold: 5.0)|});
                    await training.ForwardBackwardCustomAsync(batch, loss: {|MINT015:BuiltinLosses.DroLoss.WithConfig(config)|});
        """),
        Training("""
                    await training.ForwardBackwardAsync(batch, LossFn.Ppo());
                    await training.ForwardBackwardAsync(batch, LossFn.CrossEntropy);
                    await training.ForwardBackwardAsync(batch, LossFn.Cispo(clipHighThreshold: 5.0));
                    await training.ForwardBackwardAsync(batch, lossFn: LossFn.FromName("dro", config));
        """));

    [Fact]
    public Task A_builtin_that_needs_config_it_was_not_given_gets_no_fix() => Verify.Fix<LossDispatchAnalyzer, DispatchCodeFix>(
        Training("""
                    await training.ForwardBackwardCustomAsync(batch, {|MINT015:BuiltinLosses.DroLoss|});
        """),
        Training("""
                    await training.ForwardBackwardCustomAsync(batch, {|MINT015:BuiltinLosses.DroLoss|});
        """));

    [Fact]
    public Task A_custom_loss_by_name_moves_to_ForwardBackwardCustomAsync_with_its_definition() => Verify.Fix<LossDispatchAnalyzer, DispatchCodeFix>(
        Training("""
                    await training.ForwardBackwardAsync(batch, {|MINT016:LossFn.FromName("dpo")|});
                    await training.ForwardBackwardAsync(batch, {|MINT016:LossFn.FromName("dpo", config)|});
        """),
        Training("""
                    await training.ForwardBackwardCustomAsync(batch, Losses.DpoLoss);
                    await training.ForwardBackwardCustomAsync(batch, Losses.DpoLoss.WithConfig(config));
        """));
}
