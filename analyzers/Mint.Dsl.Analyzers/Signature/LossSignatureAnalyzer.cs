using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers.Signature;

/// <summary>
/// MINT001–MINT009: the signature rules of a <c>[Loss]</c> method. It runs the generator's own
/// parser, so the IDE shows exactly the problems that stop generation, while the user types.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LossSignatureAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.LossMethodMustBeStatic,
        DiagnosticDescriptors.ContainingTypeMustBePartial,
        DiagnosticDescriptors.LossMethodMustNotBeGenericOrAsync,
        DiagnosticDescriptors.ParameterMustBeByValue,
        DiagnosticDescriptors.UnsupportedParameterType,
        DiagnosticDescriptors.MissingTargetLogprobs,
        DiagnosticDescriptors.UnsupportedReturnType,
        DiagnosticDescriptors.MixedPairParameters,
        DiagnosticDescriptors.DuplicateKey);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LossSymbols.From(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterSymbolAction(symbol => Analyze(symbol, symbols), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, LossSymbols symbols)
    {
        if (symbols.LossAttributeOf(context.Symbol) is not { } attribute)
        {
            return;
        }

        var method = (IMethodSymbol)context.Symbol;
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is MethodDeclarationSyntax syntax)
            {
                var diagnostics = new List<Diagnostic>();
                LossParser.Parse(method, syntax, attribute, context.Compilation, diagnostics, context.CancellationToken);
                diagnostics.ForEach(context.ReportDiagnostic);
                return;
            }
        }
    }
}
