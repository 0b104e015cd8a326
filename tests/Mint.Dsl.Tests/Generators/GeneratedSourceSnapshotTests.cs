using System.IO;
using System.Linq;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Generators;

/// <summary>Snapshots of the generated source for a representative set of loss signatures.</summary>
public sealed class GeneratedSourceSnapshotTests
{
    private static string RepositoryFile(string relativePath) => File.ReadAllText(Path.Combine(RepositoryPaths.Root, relativePath));

    private static void AssertGenerates(string source, params string[] snapshotsByMethod)
    {
        var (run, errors) = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(errors);
        Assert.Equal(snapshotsByMethod.Length, GeneratorHarness.Definitions(run).Length);
        foreach (var generated in run.GeneratedSources.OrderBy(generated => generated.HintName, System.StringComparer.Ordinal))
        {
            // Definitions are 'Type.Method.g.cs'; the loss graphs beside them 'Type.Method.Graph.g.cs'.
            var parts = generated.HintName.Split('.');
            var isGraph = parts[^3] == "Graph";
            var method = isGraph ? parts[^4] : parts[^3];
            Assert.Contains(method, snapshotsByMethod);
            SnapshotAssert.Matches(isGraph ? method + ".Graph" : method, generated.SourceText.ToString());
        }
    }

    [Fact]
    public void Seed_preference_losses_pairs_and_config()
    {
        AssertGenerates(RepositoryFile("samples/PairwisePreference/PreferenceLosses.cs"), "PairwisePreference", "Dpo", "DpoSequenceReference");
    }

    [Fact]
    public void Multi_target_log_probs_and_candidate_inputs()
    {
        AssertGenerates(RepositoryFile("samples/PairwisePreference/MultipleChoiceLosses.cs"), "AnswerChoice");
    }

    [Fact]
    public void Builtin_losses_renamed_inputs_and_config_defaults()
    {
        var source = RepositoryFile("src/Mint.Dsl/Losses/BuiltinLosses.cs").Replace("namespace Mint.Dsl;", "namespace Snapshot.Builtins;\nusing Mint.Dsl;");
        AssertGenerates(source, "CrossEntropy", "ImportanceSampling", "Ppo", "Cispo", "Dro");
    }

    [Fact]
    public void Nested_types_global_namespace_and_every_config_type()
    {
        const string source = """
            using Mint.Dsl;
            using static TorchSharp.torch;

            public partial class Trainer
            {
                internal partial record struct Objectives
                {
                    [Loss("token_kl")]
                    private static LossResult TokenKlLoss(
                        [TargetLogprobs] Tensor policy,
                        Tensor referenceLogprobs,
                        [LossInput("mask", DType = TensorDType.Int64)] Tensor tokenMask,
                        double klCoef,
                        [LossConfig("temp")] float temperature = 1.5f,
                        int warmupSteps = 10,
                        long horizon = 3,
                        bool normalize = true)
                    {
                        var kl = (policy - referenceLogprobs) * tokenMask.to(policy.dtype) / temperature;
                        var total = klCoef * kl.sum();
                        return new LossResult(normalize ? total / (warmupSteps + horizon) : total);
                    }
                }
            }
            """;
        AssertGenerates(source, "TokenKlLoss");
    }

    [Fact]
    public void Generation_is_deterministic()
    {
        var source = RepositoryFile("samples/PairwisePreference/PreferenceLosses.cs");
        var first = GeneratorHarness.Run(source).Run.GeneratedSources.Select(generated => generated.SourceText.ToString());
        var second = GeneratorHarness.Run(source).Run.GeneratedSources.Select(generated => generated.SourceText.ToString());

        Assert.Equal(first, second);
    }
}
