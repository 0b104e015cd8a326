using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mint.Dsl.Generators.Emitting;
using Mint.Dsl.Generators.Lowering;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Generators;

/// <summary>
/// Emits a <c>LossDefinition</c> for every <c>[Loss]</c> method: parse (symbols → plain model) →
/// emit (model → text); and, where the body lowers, its loss graph: lower (operations → graph) → emit. Each step returns equatable values, so editing unrelated code leaves the
/// outputs cached. A loss whose signature breaks a rule gets no output; the analyzers in
/// <c>Mint.Dsl.Analyzers</c> report why (see <c>DiagnosticDescriptors</c>).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LossGenerator : IIncrementalGenerator
{
    /// <summary>The attribute that marks a loss method.</summary>
    public const string LossAttributeName = "Mint.Dsl.LossAttribute";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var losses = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                LossAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                LossParser.Parse)
            .WithTrackingName(TrackingNames.ParsedLosses);

        context.RegisterSourceOutput(losses, static (output, model) =>
        {
            if (model is not null)
            {
                output.AddSource(LossEmitter.HintName(model), LossEmitter.Emit(model));
            }
        });

        // Beside the definition: the loss graph of each body that lowers (see Lowering/LossLowering.cs).
        var graphs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                LossAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                LossLowering.Transform)
            .WithTrackingName(TrackingNames.LoweredLosses);

        context.RegisterSourceOutput(graphs, static (output, lowered) =>
        {
            if (lowered is not null)
            {
                output.AddSource(GraphEmitter.HintName(lowered.Loss), GraphEmitter.Emit(lowered));
            }
        });
    }
}
