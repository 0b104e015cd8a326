using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Mint.Dsl.Analyzers.Signature;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>The code we ship as examples and the built-ins themselves pass every analyzer.</summary>
public sealed class RepositorySourcesTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> AllAnalyzers = typeof(LossSignatureAnalyzer).Assembly.GetTypes()
        .Where(type => !type.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(type))
        .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
        .ToImmutableArray();

    [Fact]
    public async Task Samples_and_builtin_losses_have_no_MINT_diagnostics()
    {
        var root = RepositoryPaths.Root;
        var files = Directory.EnumerateFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "src", "Mint.Dsl", "Losses"), "*.cs")
                // LossFn is no loss definition, and a second copy of it beside the referenced Mint.Dsl would not
                // bind where the samples pass one to the client (LossFn.CrossEntropy).
                .Where(path => Path.GetFileName(path) != "LossFn.cs"))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToList();
        var compilation = GeneratorHarness.Compilation()
            .WithOptions(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable))
            .AddSyntaxTrees(files.Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), new CSharpParseOptions(LanguageVersion.Latest), path)));

        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        var diagnostics = await generated.WithAnalyzers(AllAnalyzers).GetAllDiagnosticsAsync();

        Assert.Contains(files, path => path.EndsWith("BuiltinLosses.cs", StringComparison.Ordinal));
        Assert.Contains(files, path => path.EndsWith("PreferenceLosses.cs", StringComparison.Ordinal));
        // Every loss generated: 5 built-ins and the samples' 2, so the analyzers saw valid, bound code.
        Assert.True(generated.SyntaxTrees.Count() - compilation.SyntaxTrees.Count() >= 7);
        Assert.Empty(diagnostics.Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error || diagnostic.Id.StartsWith("MINT", StringComparison.Ordinal)));
    }
}
