using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Mint.Dsl.Generators.Diagnostics;

namespace Mint.Dsl.CodeFixes;

/// <summary>MINT001: adds <c>static</c> to the loss method.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddStaticCodeFix)), Shared]
public sealed class AddStaticCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.LossMethodMustBeStatic.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var method = root?.FindNode(context.Span).AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (method is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                "Make the loss method static",
                async cancellationToken =>
                {
                    var editor = await DocumentEditor.CreateAsync(context.Document, cancellationToken).ConfigureAwait(false);
                    var modifiers = editor.Generator.GetModifiers(method).WithIsStatic(true);
                    editor.SetModifiers(method, modifiers);
                    return editor.GetChangedDocument();
                },
                equivalenceKey: nameof(AddStaticCodeFix)),
            context.Diagnostics);
    }
}
