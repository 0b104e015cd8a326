using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers.Gradients;

/// <summary>
/// MINT012 and MINT013: gradient breaks on values that flow into the returned loss. The loss is
/// differentiated with respect to the log-probs, so a log-probs value that turns into a .NET number
/// on its way to the loss contributes nothing to the gradient, silently.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GradientBreakAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.GradientLeavesGraph,
        DiagnosticDescriptors.GradientSevered);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LossSymbols.From(start.Compilation) is not { } symbols || symbols.LossResult is null || symbols.Tensor is null)
            {
                return;
            }

            start.RegisterSyntaxNodeAction(node => Analyze(node, symbols), SyntaxKind.MethodDeclaration);
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, LossSymbols symbols)
    {
        if (LossMethods.From(context, symbols) is not ({ } method, { } body))
        {
            return;
        }

        var logprobs = method.Parameters.Where(LossParser.IsTargetLogprobs).ToList();
        if (logprobs.Count == 0)
        {
            return;
        }

        var flow = new GradientFlow(body, logprobs, symbols);
        var reported = new HashSet<IOperation>();
        foreach (var loss in flow.LossValues)
        {
            var trace = flow.TraceLoss(loss);
            foreach (var cut in trace.Breaks.OrderBy(cut => cut.Site.Syntax.SpanStart))
            {
                var descriptor = cut.Kind == GradientBreakKind.LeavesGraph ? DiagnosticDescriptors.GradientLeavesGraph
                    : trace.Live ? null
                    : DiagnosticDescriptors.GradientSevered;
                if (descriptor is not null && reported.Add(cut.Site))
                {
                    var location = CallSpan.Of(cut.Site.Syntax);
                    context.ReportDiagnostic(Diagnostic.Create(descriptor, location, CallSpan.Text(location), method.Name));
                }
            }
        }
    }
}
