using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers.Gradients;

/// <summary>
/// MINT014: an in-place tensor operation (<c>add_</c>, <c>mul_</c>, <c>clamp_</c>, …) on the log-probs
/// parameter, directly, through <c>.Chosen</c>/<c>.Rejected</c>, or through a local alias. The
/// log-probs are what the loss is differentiated against: autograd rejects or mis-computes in-place
/// writes to them. An in-place op is a <c>Tensor</c> method whose name ends in <c>_</c> and that has
/// an out-of-place twin without it, which is also what the code fix calls.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InPlaceLogprobsAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the out-of-place twin's name.</summary>
    public const string OutOfPlaceProperty = "OutOfPlace";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InPlaceOnLogprobs);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LossSymbols.From(start.Compilation) is not { Tensor: not null } symbols)
            {
                return;
            }

            LossMethods.RegisterInvocationAction(start, symbols, (node, invocation, method) => Analyze(node, invocation, method, symbols));
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, IInvocationOperation invocation, IMethodSymbol loss, LossSymbols symbols)
    {
        var name = invocation.TargetMethod.Name;
        if (name.Length < 2 || name[name.Length - 1] != '_' || !symbols.IsTensor(invocation.TargetMethod.ContainingType))
        {
            return;
        }

        var twin = name.Substring(0, name.Length - 1);
        if (!symbols.Tensor!.GetMembers(twin).Any(member => member is IMethodSymbol))
        {
            return;
        }

        if (LogprobsParameter(invocation.Instance, 0) is { } parameter)
        {
            var location = CallSpan.Of(invocation.Syntax);
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InPlaceOnLogprobs,
                location,
                ImmutableDictionary<string, string?>.Empty.Add(OutOfPlaceProperty, twin),
                name,
                parameter.Name,
                loss.Name,
                twin));
        }
    }

    /// <summary>The log-probs parameter <paramref name="receiver"/> is (or views, or aliases), or null.</summary>
    private static IParameterSymbol? LogprobsParameter(IOperation? receiver, int depth)
    {
        switch (receiver)
        {
            case IConversionOperation { IsImplicit: true } conversion:
                return LogprobsParameter(conversion.Operand, depth);
            case IParenthesizedOperation parenthesized:
                return LogprobsParameter(parenthesized.Operand, depth);
            case IPropertyReferenceOperation { Property.Name: "Chosen" or "Rejected" } pairMember:
                return LogprobsParameter(pairMember.Instance, depth);
            case IParameterReferenceOperation reference when LossParser.IsTargetLogprobs(reference.Parameter):
                return reference.Parameter;
            case ILocalReferenceOperation local when depth < 8 && receiver.SemanticModel is { } model:
                // `var lp = logprobs;` shares the tensor, so writing through lp writes the log-probs.
                var declarator = local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
                return declarator?.Initializer is { } initializer
                    ? LogprobsParameter(model.GetOperation(initializer.Value), depth + 1)
                    : null;
            default:
                return null;
        }
    }
}
