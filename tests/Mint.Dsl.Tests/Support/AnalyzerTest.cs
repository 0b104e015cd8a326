using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Mint.Dsl.Generators;

namespace Mint.Dsl.Tests.Support;

/// <summary>
/// The Roslyn analyzer/code-fix test, compiled as a real build compiles: with the loss generator,
/// against this test run's own framework, Mint.Dsl and TorchSharp assemblies (the framework's default
/// reference assemblies would be downloaded from a package feed). Diagnostics are marked in the
/// source: <c>{|MINT014:add_(2)|}</c>; compiler diagnostics must be marked too, so every test
/// source compiles cleanly apart from what it marks.
/// </summary>
internal sealed class AnalyzerTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll" or "Mint.Dsl.dll" or "TorchSharp.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    public AnalyzerTest(string source, string? fixedSource = null)
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(References.Value);
        TestState.Sources.Add(source);
        TestState.Sources.Add(("TrainingClient.cs", TestSources.TrainingClient));
        if (fixedSource is not null)
        {
            FixedState.Sources.Add(fixedSource);
            FixedState.Sources.Add(("TrainingClient.cs", TestSources.TrainingClient));
        }

        // Generated files are the snapshot tests' business; here they only make the sources compile.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
    }

    protected override IEnumerable<Type> GetSourceGenerators() => [typeof(LossGenerator)];

    protected override ParseOptions CreateParseOptions() =>
        ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);
}

/// <summary>Short forms for the analyzer tests.</summary>
internal static class Verify
{
    /// <summary>Runs <typeparamref name="TAnalyzer"/> on <paramref name="source"/>; the diagnostics must be exactly those marked.</summary>
    public static Task Diagnostics<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new AnalyzerTest<TAnalyzer, EmptyCodeFixProvider>(source);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Applies <typeparamref name="TCodeFix"/> to the marked diagnostics; the result must equal <paramref name="fixedSource"/>.</summary>
    public static Task Fix<TAnalyzer, TCodeFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new() =>
        new AnalyzerTest<TAnalyzer, TCodeFix>(source, fixedSource).RunAsync();
}
