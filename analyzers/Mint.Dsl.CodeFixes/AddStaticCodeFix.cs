using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Mint.Dsl.Generators.Diagnostics;

namespace Mint.Dsl.CodeFixes;

/// <summary>MINT001: adds <c>static</c> to the loss method.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddStaticCodeFix)), Shared]
public sealed class AddStaticCodeFix : AddModifierCodeFix<MethodDeclarationSyntax>
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.LossMethodMustBeStatic.Id);

    /// <inheritdoc />
    protected override string Title(MethodDeclarationSyntax declaration) => "Make the loss method static";

    /// <inheritdoc />
    protected override DeclarationModifiers WithModifier(DeclarationModifiers modifiers) => modifiers.WithIsStatic(true);
}
