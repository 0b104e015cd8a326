using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Mint.Dsl.Generators.Diagnostics;

namespace Mint.Dsl.Analyzers.Terms;

/// <summary>
/// MINT040: a constant name given to <c>LossResult.Term</c> or <c>LossResult.Metric</c> in a loss
/// method that <c>LossResult</c> refuses at run time: a term called <c>base</c> (the base loss's
/// report), a term name with <c>/</c> or empty, a term added twice to the same result, or a metric
/// under the <c>terms/</c> prefix reserved for term reports.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LossTermNameAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidLossTermName);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LossSymbols.From(start.Compilation) is not { LossResult: not null } symbols)
            {
                return;
            }

            LossMethods.RegisterInvocationAction(start, symbols, (node, call, method) => Analyze(node, call, method, symbols.LossResult!));
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, IInvocationOperation call, IMethodSymbol loss, INamedTypeSymbol lossResult)
    {
        var kind = OnLossResult(call, lossResult);
        if (kind is null || ConstantName(call) is not { } name)
        {
            return;
        }

        var reason = kind == "Term"
            ? name.Length == 0 ? "is empty"
            : name == "base" ? "is reserved for the base loss (reported as terms/base)"
            : name.IndexOf('/') >= 0 ? "contains '/', which separates the parts of a term's reports"
            : EarlierTerms(call, lossResult).Contains(name) ? "is already a term of this result"
            : null
            : name.StartsWith("terms/", StringComparison.Ordinal) ? "starts with 'terms/', which is reserved for the reports of loss terms"
            : null;
        if (reason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidLossTermName, NameArgument(call)!.Value.Syntax.GetLocation(), kind == "Term" ? "Term" : "Metric", name, loss.Name, reason));
        }
    }

    /// <summary>"Term" or "Metric" when <paramref name="call"/> is that method of <c>LossResult</c>.</summary>
    private static string? OnLossResult(IInvocationOperation call, INamedTypeSymbol lossResult) =>
        SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, lossResult) && call.TargetMethod.Name is "Term" or "Metric"
            ? call.TargetMethod.Name
            : null;

    private static IArgumentOperation? NameArgument(IInvocationOperation call) =>
        call.Arguments.FirstOrDefault(argument => argument.Parameter?.Name == "name");

    private static string? ConstantName(IInvocationOperation call) =>
        NameArgument(call)?.Value.ConstantValue is { HasValue: true, Value: string name } ? name : null;

    /// <summary>The constant names of the terms added earlier in the same fluent chain.</summary>
    private static HashSet<string> EarlierTerms(IInvocationOperation call, INamedTypeSymbol lossResult)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var instance = call.Instance; instance is IInvocationOperation earlier; instance = earlier.Instance)
        {
            if (OnLossResult(earlier, lossResult) == "Term" && ConstantName(earlier) is { } name)
            {
                names.Add(name);
            }
        }

        return names;
    }
}
