using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Lowering;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers.Lowering;

/// <summary>
/// MINT018/MINT019: which losses do not lower to a loss graph, and exactly which expressions keep
/// them on the client. Runs the generator's own lowering and reports every problem it returns, each
/// on its expression: info by default, an error when the loss says
/// <c>[Loss(…, RequireServerExecution = true)]</c>. A loss with signature problems is left to MINT001–009.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LossLoweringAnalyzer : DiagnosticAnalyzer
{
    private const string RequireServerExecution = "RequireServerExecution";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.LossRunsOnClient,
        DiagnosticDescriptors.ServerExecutionRequired);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LossSymbols.From(start.Compilation) is { } symbols)
            {
                start.RegisterSyntaxNodeAction(node => Analyze(node, symbols), SyntaxKind.MethodDeclaration);
            }
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, LossSymbols symbols)
    {
        var syntax = (MethodDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not { } method
            || symbols.LossAttributeOf(method) is not { } attribute)
        {
            return;
        }

        var model = LossParser.Parse(method, syntax, attribute, context.Compilation, new List<Diagnostic>(), context.CancellationToken);
        if (model is null)
        {
            return;
        }

        var result = LossLowering.Lower(model, method, syntax, context.SemanticModel, context.CancellationToken);
        var required = attribute.NamedArguments.Any(argument => argument.Key == RequireServerExecution && argument.Value.Value is true);
        var descriptor = required ? DiagnosticDescriptors.ServerExecutionRequired : DiagnosticDescriptors.LossRunsOnClient;
        foreach (var problem in result.Problems)
        {
            var location = Location.Create(syntax.SyntaxTree, new TextSpan(problem.Start, problem.Length));
            context.ReportDiagnostic(Diagnostic.Create(descriptor, location, model.LossName, problem.Expression, problem.Reason));
        }
    }
}
