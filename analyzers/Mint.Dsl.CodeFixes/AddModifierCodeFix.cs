using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace Mint.Dsl.CodeFixes;

/// <summary>
/// Shared shape of the fixes that add one modifier to the declaration a diagnostic points into:
/// find the nearest <typeparamref name="TDeclaration"/>, then set its modifiers.
/// </summary>
public abstract class AddModifierCodeFix<TDeclaration> : CodeFixProvider
    where TDeclaration : SyntaxNode
{
    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var declaration = root?.FindNode(context.Span).AncestorsAndSelf().OfType<TDeclaration>().FirstOrDefault();
        if (declaration is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                Title(declaration),
                async cancellationToken =>
                {
                    var editor = await DocumentEditor.CreateAsync(context.Document, cancellationToken).ConfigureAwait(false);
                    editor.SetModifiers(declaration, WithModifier(editor.Generator.GetModifiers(declaration)));
                    return editor.GetChangedDocument();
                },
                equivalenceKey: GetType().Name),
            context.Diagnostics);
    }

    /// <summary>The fix's title in the IDE.</summary>
    protected abstract string Title(TDeclaration declaration);

    /// <summary>The declaration's modifiers with the one this fix adds.</summary>
    protected abstract DeclarationModifiers WithModifier(DeclarationModifiers modifiers);
}
