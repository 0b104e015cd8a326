using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Mint.Dsl.Analyzers;

/// <summary>
/// Finds loss methods from their syntax, so the analyzers that read bodies ask the compiler for the
/// operation tree of loss methods only; an operation-block action would build one for every method
/// of the compilation.
/// </summary>
internal static class LossMethods
{
    /// <summary>The loss method declared by the analyzed node and its body's operation tree, or nulls.</summary>
    public static (IMethodSymbol? Method, IOperation? Body) From(SyntaxNodeAnalysisContext context, LossSymbols symbols)
    {
        var declaration = (MethodDeclarationSyntax)context.Node;
        if (declaration.AttributeLists.Count == 0
            || (declaration.Body is null && declaration.ExpressionBody is null)
            || context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } method
            || symbols.LossAttributeOf(method) is null)
        {
            return (null, null);
        }

        return (method, context.SemanticModel.GetOperation(declaration, context.CancellationToken) as IMethodBodyOperation);
    }

    /// <summary>Calls <paramref name="analyze"/> for every invocation in the body of every loss method of the compilation.</summary>
    public static void RegisterInvocationAction(
        CompilationStartAnalysisContext start,
        LossSymbols symbols,
        Action<SyntaxNodeAnalysisContext, IInvocationOperation, IMethodSymbol> analyze) =>
        start.RegisterSyntaxNodeAction(
            node =>
            {
                if (From(node, symbols) is ({ } method, { } body))
                {
                    foreach (var invocation in body.Descendants().OfType<IInvocationOperation>())
                    {
                        analyze(node, invocation, method);
                    }
                }
            },
            SyntaxKind.MethodDeclaration);
}
