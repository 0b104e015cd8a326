using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mint.Dsl.Analyzers.Signature;
using Mint.Dsl.Tests.Support;
using Xunit;
using static Mint.Dsl.Tests.Support.TestSources;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>
/// In the IDE the analyzers run on every keystroke, over code that is half written. An analyzer that
/// throws is reported as AD0001 and switched off, so none may throw on broken code.
/// </summary>
public sealed class IncompleteCodeTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> AllAnalyzers = typeof(LossSignatureAnalyzer).Assembly.GetTypes()
        .Where(type => !type.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(type))
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    [Theory]
    [InlineData("[Loss] public static LossResult NoName(Tensor logprobs) => new(logprobs.sum());")]
    [InlineData("[Loss(null)] public static LossResult NullName(Tensor logprobs) => new(logprobs.sum());")]
    [InlineData("[Loss(\"l\")] public static LossResult Unfinished(Tensor logprobs, ) => new(logprobs.")]
    [InlineData("[Loss(\"l\")] public static LossResult NoBody(Tensor logprobs);")]
    [InlineData("[Loss(\"l\")] public static partial LossResult Declared(Tensor logprobs);")]
    [InlineData("[Loss(\"l\")] public static LossResult Unknown(Tensr logprobs, Unknown x) => new(logprobs.sum().item<>());")]
    [InlineData("[Loss(\"l\")] public static LossResult Empty(Tensor logprobs) { return new LossResult(); }")]
    [InlineData("[Loss(\"l\")] public static LossResult Cut(Tensor logprobs) { using (no_grad() { return new(logprobs.detach().add_()); }")]
    [InlineData("[Loss(\"l\")] public static LossResult Loop(Tensor logprobs) { var a = logprobs; var b = a; a = b * a; b = a.detach(); return new(b.sum()); }")]
    [InlineData("static void Calls(Mint.Client.TrainingClient t) { t.ForwardBackwardCustomAsync(); t.ForwardBackwardAsync(null!, LossFn.FromName()); LossFn.FromName(42); t.ForwardBackwardCustomAsync(null!, BuiltinLosses.); }")]
    public async Task No_analyzer_throws_on_half_written_code(string members)
    {
        var compilation = GeneratorHarness.Compilation(InLossClass(members), TrainingClient);
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);

        var diagnostics = await generated.WithAnalyzers(AllAnalyzers, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false))
            .GetAllDiagnosticsAsync();

        // Roslyn turns an analyzer's exception into an AD0001 diagnostic (and the IDE disables the analyzer).
        Assert.Empty(diagnostics.Where(diagnostic => diagnostic.Id == "AD0001"));
    }
}
