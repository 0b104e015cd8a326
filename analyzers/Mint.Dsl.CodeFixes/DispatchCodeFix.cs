using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using Mint.Dsl.Analyzers.Dispatch;
using Mint.Dsl.Generators.Diagnostics;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Mint.Dsl.CodeFixes;

/// <summary>
/// MINT015 and MINT016: call the dispatch method that matches the loss.
/// <c>ForwardBackwardCustomAsync(data, BuiltinLosses.PpoLoss.With(clipHighThreshold: 1.3))</c> becomes
/// <c>ForwardBackwardAsync(data, LossFn.Ppo(clipHighThreshold: 1.3))</c>, and
/// <c>ForwardBackwardAsync(data, LossFn.FromName("dpo"))</c> becomes
/// <c>ForwardBackwardCustomAsync(data, PreferenceLosses.DpoLoss)</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DispatchCodeFix)), Shared]
public sealed class DispatchCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.BuiltinThroughCustomPath.Id,
        DiagnosticDescriptors.CustomThroughBuiltinPath.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        var argument = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<ArgumentSyntax>().FirstOrDefault();
        if (root is null || argument?.Parent?.Parent is not InvocationExpressionSyntax call || call.Expression is not MemberAccessExpressionSyntax method)
        {
            return;
        }

        var toBuiltin = diagnostic.Id == DiagnosticDescriptors.BuiltinThroughCustomPath.Id;
        var loss = toBuiltin ? BuiltinSelector(argument.Expression, diagnostic.Properties) : CustomDefinition(argument.Expression, diagnostic.Properties);
        if (loss is null)
        {
            return;
        }

        var target = toBuiltin ? TrainingClientCalls.BuiltinMethod : TrainingClientCalls.CustomMethod;
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Call {target} with {loss.WithoutAnnotations(Simplifier.Annotation).NormalizeWhitespace()}",
                cancellationToken => Rewrite(context.Document, root, call, method, argument, loss, target, cancellationToken),
                equivalenceKey: nameof(DispatchCodeFix) + target),
            diagnostic);
    }

    private static async Task<Document> Rewrite(
        Document document,
        SyntaxNode root,
        InvocationExpressionSyntax call,
        MemberAccessExpressionSyntax method,
        ArgumentSyntax argument,
        ExpressionSyntax loss,
        string target,
        CancellationToken cancellationToken)
    {
        var newArgument = argument.WithExpression(loss.WithTriviaFrom(argument.Expression));
        if (argument.NameColon is { } nameColon
            && await TargetParameterName(document, call, target, argument, cancellationToken).ConfigureAwait(false) is { } name)
        {
            newArgument = newArgument.WithNameColon(nameColon.WithName(IdentifierName(name).WithTriviaFrom(nameColon.Name)));
        }

        var newCall = call.ReplaceNodes(
            new SyntaxNode[] { argument, method.Name },
            (original, _) => original == argument ? newArgument : IdentifierName(target).WithTriviaFrom(method.Name));
        return document.WithSyntaxRoot(root.ReplaceNode(call, newCall));
    }

    /// <summary><c>LossFn.Ppo(…)</c>, <c>LossFn.CrossEntropy</c> or <c>LossFn.FromName("ppo", config)</c>; null when arguments are missing.</summary>
    private static ExpressionSyntax? BuiltinSelector(ExpressionSyntax loss, ImmutableDictionary<string, string?> properties)
    {
        if (!properties.TryGetValue(LossDispatchAnalyzer.LossFnMemberProperty, out var member) || member is null)
        {
            return null;
        }

        var lossFn = Qualified("global::Mint.Dsl.LossFn");
        var isMethod = properties.TryGetValue(LossDispatchAnalyzer.LossFnIsMethodProperty, out var flag) && flag == "true";
        var needsArguments = properties.TryGetValue(LossDispatchAnalyzer.LossFnNeedsArgumentsProperty, out var needs) && needs == "true";
        var selector = MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, lossFn, IdentifierName(member));
        switch (loss)
        {
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.Text: "With", Expression: MemberAccessExpressionSyntax } } with when isMethod:
                return InvocationExpression(selector, with.ArgumentList);
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.Text: "WithConfig", Expression: MemberAccessExpressionSyntax } } withConfig
                when properties.TryGetValue(LossDispatchAnalyzer.BuiltinNameProperty, out var name) && name is not null:
                var fromName = MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, lossFn, IdentifierName("FromName"));
                return InvocationExpression(fromName, ArgumentList(SeparatedList(
                    new[] { Argument(LiteralExpression(SyntaxKind.StringLiteralExpression, Literal(name))) }.Concat(withConfig.ArgumentList.Arguments))));
            case MemberAccessExpressionSyntax when !isMethod:
                return selector;
            case MemberAccessExpressionSyntax when !needsArguments:
                return InvocationExpression(selector);
            default:
                return null;
        }
    }

    /// <summary><c>PreferenceLosses.DpoLoss</c>, with <c>.WithConfig(config)</c> when <c>FromName</c> had config.</summary>
    private static ExpressionSyntax? CustomDefinition(ExpressionSyntax fromName, ImmutableDictionary<string, string?> properties)
    {
        if (!properties.TryGetValue(LossDispatchAnalyzer.LossPropertyProperty, out var property) || property is null
            || fromName is not InvocationExpressionSyntax invocation)
        {
            return null;
        }

        var definition = Qualified(property);
        return invocation.ArgumentList.Arguments.Count < 2
            ? definition
            : InvocationExpression(
                MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, definition, IdentifierName("WithConfig")),
                ArgumentList(SingletonSeparatedList(Argument(invocation.ArgumentList.Arguments[1].Expression))));
    }

    /// <summary>A fully qualified name that the simplifier shortens as far as the file's usings allow.</summary>
    private static ExpressionSyntax Qualified(string name) => ParseExpression(name).WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>The name of <paramref name="target"/>'s parameter of the new argument's type, for a named argument.</summary>
    private static async Task<string?> TargetParameterName(
        Document document, InvocationExpressionSyntax call, string target, ArgumentSyntax argument, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var client = (model?.GetSymbolInfo(call, cancellationToken).Symbol as IMethodSymbol)?.ContainingType;
        var typeName = target == TrainingClientCalls.BuiltinMethod ? "LossFn" : "LossDefinition";
        return client?.GetMembers(target).OfType<IMethodSymbol>()
            .SelectMany(method => method.Parameters)
            .FirstOrDefault(parameter => parameter.Type.Name == typeName)?.Name
            ?? argument.NameColon?.Name.Identifier.Text;
    }
}
