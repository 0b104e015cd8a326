using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mint.Dsl.Generators;

namespace Mint.Dsl.Tests.Support;

/// <summary>Runs the loss generator on in-memory source against the real runtime and TorchSharp assemblies.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll" or "Mint.Dsl.dll" or "Mint.Engine.dll" or "Mint.Client.dll" or "Microsoft.ML.Tokenizers.dll" or "TorchSharp.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    public static CSharpCompilation Compilation(params string[] sources) => CSharpCompilation.Create(
        "LossTests",
        sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: $"Source{index}.cs")),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        [new LossGenerator().AsSourceGenerator()],
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The generated definitions, without the loss graphs emitted beside them (<c>*.Graph.g.cs</c>).</summary>
    public static ImmutableArray<GeneratedSourceResult> Definitions(GeneratorRunResult run) =>
        run.GeneratedSources.Where(generated => !generated.HintName.EndsWith(".Graph.g.cs", StringComparison.Ordinal)).ToImmutableArray();

    /// <summary>Runs the generator; returns its result and the compilation's own errors after generation.</summary>
    public static (GeneratorRunResult Run, ImmutableArray<Diagnostic> CompileErrors) Run(params string[] sources)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(Compilation(sources), out var output, out _);
        var errors = output.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return (driver.GetRunResult().Results.Single(), errors);
    }
}
