using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers.Signature;

/// <summary>
/// MINT001–MINT009, MINT030 and MINT041: the signature rules of a <c>[Loss]</c> method. It runs the generator's own
/// parser, so the IDE shows exactly the problems that stop generation, while the user types.
/// </summary>
/// <remarks>
/// Each diagnostic is reported from the symbol it sits on, so the IDE computes it (and offers its
/// fix) with that symbol's document: the method's problems from the method, MINT002 on a type's
/// declaration from the type.
/// </remarks>
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
        DiagnosticDescriptors.DuplicateKey,
        DiagnosticDescriptors.InvalidInputRank,
        DiagnosticDescriptors.InvalidConfigRange);

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

            start.RegisterSymbolAction(symbol => AnalyzeMethod(symbol, symbols), SymbolKind.Method);
            start.RegisterSymbolAction(symbol => AnalyzeType(symbol, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, LossSymbols symbols)
    {
        foreach (var diagnostic in Parse((IMethodSymbol)context.Symbol, symbols, context))
        {
            if (diagnostic.Id != DiagnosticDescriptors.ContainingTypeMustBePartial.Id)
            {
                context.ReportDiagnostic(diagnostic);
            }
        }
    }

    /// <summary>MINT002 on this type's own declarations, for the losses it contains at any depth.</summary>
    private static void AnalyzeType(SymbolAnalysisContext context, LossSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var declarations = type.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(context.CancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .Select(declaration => declaration.Identifier.GetLocation())
            .ToList();
        var reported = new HashSet<Location>();
        foreach (var method in MethodsWithin(type))
        {
            foreach (var diagnostic in Parse(method, symbols, context))
            {
                if (diagnostic.Id == DiagnosticDescriptors.ContainingTypeMustBePartial.Id
                    && declarations.Contains(diagnostic.Location)
                    && reported.Add(diagnostic.Location))
                {
                    context.ReportDiagnostic(diagnostic);
                }
            }
        }
    }

    private static IEnumerable<IMethodSymbol> MethodsWithin(INamedTypeSymbol type) =>
        type.GetMembers().OfType<IMethodSymbol>().Concat(type.GetTypeMembers().SelectMany(MethodsWithin));

    private static List<Diagnostic> Parse(IMethodSymbol method, LossSymbols symbols, SymbolAnalysisContext context)
    {
        var diagnostics = new List<Diagnostic>();
        if (symbols.LossAttributeOf(method) is { } attribute
            && method.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(context.CancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault() is { } syntax)
        {
            LossParser.Parse(method, syntax, attribute, context.Compilation, diagnostics, context.CancellationToken);
        }

        return diagnostics;
    }
}
