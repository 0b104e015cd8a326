using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mint.Dsl.Generators.Diagnostics;

namespace Mint.Dsl.Analyzers.Names;

/// <summary>
/// MINT010 and MINT011: a loss name identifies one loss. Two <c>[Loss]</c> methods with one name are
/// found when the whole compilation has been seen; a custom loss that takes a built-in's name is
/// found at once. The built-ins themselves (in <c>Mint.Dsl.BuiltinLosses</c>) are the names' owners.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LossNameAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.DuplicateLossName,
        DiagnosticDescriptors.LossShadowsBuiltin);

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

            var losses = new ConcurrentBag<DeclaredLoss>();
            start.RegisterSymbolAction(
                symbol =>
                {
                    if (DeclaredLoss.From(symbol.Symbol, symbols, symbol.CancellationToken) is not { } loss)
                    {
                        return;
                    }

                    losses.Add(loss);
                    if (symbols.Builtins.ContainsKey(loss.Name) && !symbols.IsBuiltinType(loss.Method.ContainingType))
                    {
                        symbol.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LossShadowsBuiltin, loss.NameLocation, loss.Method.Name, loss.Name));
                    }
                },
                SymbolKind.Method);
            start.RegisterCompilationEndAction(end => ReportDuplicates(end, losses));
        });
    }

    private static void ReportDuplicates(CompilationAnalysisContext context, ConcurrentBag<DeclaredLoss> losses)
    {
        foreach (var group in losses.GroupBy(loss => loss.Name).Where(group => group.Count() > 1))
        {
            // Stable order, so each duplicate names the same "other" loss on every run.
            var ordered = group.OrderBy(loss => loss.DisplayName, System.StringComparer.Ordinal).ToList();
            for (var index = 0; index < ordered.Count; index++)
            {
                var other = ordered[index == 0 ? 1 : 0];
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DuplicateLossName,
                    ordered[index].NameLocation,
                    ordered[index].Name,
                    ordered[index].DisplayName,
                    other.DisplayName));
            }
        }
    }
}
