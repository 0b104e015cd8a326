using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mint.Dsl.Analyzers.Gradients;
using Mint.Dsl.Generators.Diagnostics;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Mint.Dsl.CodeFixes;

/// <summary>
/// MINT014: calls the out-of-place twin of an in-place op on the log-probs. As a statement,
/// <c>logprobs.add_(y);</c> becomes <c>logprobs = logprobs.add(y);</c> so later reads still see the
/// new value; where the result is used, <c>logprobs.exp_()</c> becomes <c>logprobs.exp()</c>.
/// A statement on a view (<c>logprobs.Chosen.mul_(2);</c>) has nothing to assign to and gets no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OutOfPlaceCodeFix)), Shared]
public sealed class OutOfPlaceCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InPlaceOnLogprobs.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        if (root is null
            || !diagnostic.Properties.TryGetValue(InPlaceLogprobsAnalyzer.OutOfPlaceProperty, out var twin) || twin is null
            || root.FindNode(context.Span).AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault() is not { Expression: MemberAccessExpressionSyntax member } invocation)
        {
            return;
        }

        var outOfPlace = invocation.WithExpression(member.WithName(IdentifierName(twin).WithTriviaFrom(member.Name)));
        ExpressionSyntax replacement = outOfPlace;
        if (invocation.Parent is ExpressionStatementSyntax)
        {
            if (member.Expression is not IdentifierNameSyntax target)
            {
                return;
            }

            replacement = AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, target.WithoutTrivia(), outOfPlace.WithoutLeadingTrivia())
                .WithTriviaFrom(invocation);
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Use out-of-place '{twin}'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(invocation, replacement))),
                equivalenceKey: nameof(OutOfPlaceCodeFix)),
            diagnostic);
    }
}
