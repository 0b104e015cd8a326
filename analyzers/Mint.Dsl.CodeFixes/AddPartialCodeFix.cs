using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Mint.Dsl.Generators.Diagnostics;

namespace Mint.Dsl.CodeFixes;

/// <summary>MINT002: adds <c>partial</c> to the flagged declaration of a type that contains a loss.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
public sealed class AddPartialCodeFix : AddModifierCodeFix<TypeDeclarationSyntax>
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ContainingTypeMustBePartial.Id);

    /// <inheritdoc />
    protected override string Title(TypeDeclarationSyntax declaration) => $"Make '{declaration.Identifier.Text}' partial";

    /// <inheritdoc />
    protected override DeclarationModifiers WithModifier(DeclarationModifiers modifiers) => modifiers.WithPartial(true);
}
