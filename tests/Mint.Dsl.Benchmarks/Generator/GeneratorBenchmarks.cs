using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Mint.Dsl.Analyzers.Signature;
using Mint.Dsl.Generators;

namespace Mint.Dsl.Benchmarks.Generator;

/// <summary>
/// The loss generator (and, for scale, all Mint analyzers) on a compilation with 200 loss methods.
/// Each measured run starts from a fresh clone of the compilation, so it pays for binding the
/// signatures as a real build does. The incremental cases start from a driver that has already run,
/// as the IDE's does: one edits a file with no losses, one edits one loss's signature. The analyzers
/// run over the loss bodies, which the compiler must bind first; the compiler-only row is that
/// binding alone, so the analyzers' own cost is the difference.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation compilation = null!;
    private CSharpCompilation unrelatedEdit = null!;
    private CSharpCompilation signatureEdit = null!;
    private GeneratorDriver warmDriver = null!;
    private ImmutableArray<DiagnosticAnalyzer> analyzers;

    [Params(200)]
    public int Losses { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        compilation = LossCorpus.Create(Losses);
        var other = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Other.cs");
        unrelatedEdit = compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText(LossCorpus.OtherFile.Replace("1;", "2;"), LossCorpus.ParseOptions, path: "Other.cs"));
        var first = compilation.SyntaxTrees.First();
        var edited = first.ToString().Replace("Sft0(Tensor logprobs, Tensor weights) => new(-(logprobs * weights)", "Sft0(Tensor logprobs, Tensor mask) => new(-(logprobs * mask)");
        signatureEdit = compilation.ReplaceSyntaxTree(first, CSharpSyntaxTree.ParseText(edited, LossCorpus.ParseOptions, path: first.FilePath));
        warmDriver = NewDriver().RunGenerators(compilation);
        // A benchmark of a broken corpus measures nothing: every loss must generate and compile.
        warmDriver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        var errors = generated.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).ToList();
        if (generated.SyntaxTrees.Count() - compilation.SyntaxTrees.Count() != Losses || errors.Count > 0)
        {
            throw new System.InvalidOperationException($"The corpus does not generate cleanly: {string.Join("; ", errors.Take(5))}");
        }

        analyzers = typeof(LossSignatureAnalyzer).Assembly.GetTypes()
            .Where(type => !type.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(type))
            .Select(type => (DiagnosticAnalyzer)System.Activator.CreateInstance(type)!)
            .ToImmutableArray();
    }

    [Benchmark(Description = "generator, first run")]
    public GeneratorDriver FirstRun() => NewDriver().RunGenerators(compilation.Clone());

    [Benchmark(Description = "generator, unrelated file edited")]
    public GeneratorDriver UnrelatedFileEdited() => warmDriver.RunGenerators(unrelatedEdit.Clone());

    [Benchmark(Description = "generator, one loss signature edited")]
    public GeneratorDriver OneSignatureEdited() => warmDriver.RunGenerators(signatureEdit.Clone());

    [Benchmark(Description = "compiler only: bind and check every body")]
    public ImmutableArray<Diagnostic> CompilerOnly() => compilation.Clone().GetDiagnostics();

    [Benchmark(Description = "compiler + all Mint analyzers")]
    public Task<ImmutableArray<Diagnostic>> Analyzers() => compilation.Clone().WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();

    private static GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        [new LossGenerator().AsSourceGenerator()],
        parseOptions: LossCorpus.ParseOptions);
}
