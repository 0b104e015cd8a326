using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Mappings;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers.Ranks;

/// <summary>
/// MINT042: a TorchSharp call names a constant dimension that a loss parameter's declared rank does
/// not have — <c>logprobs.logsumexp(2)</c> on log-probs declared one target per position
/// (<c>[datums, tokens]</c>), <c>reference.sum(1)</c> on a per-datum input (<c>[datums]</c>). The
/// marshalled tensor's rank follows the declaration, so such a call would throw when the loss runs.
/// Checked where it is certain: the call's tensor is the parameter itself (or a pair half of it).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeclaredRankAnalyzer : DiagnosticAnalyzer
{
    private static readonly HashSet<string> DimensionNames = ["dim", "dimension", "dims", "dimensions"];

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.DimensionOutsideDeclaredRank);

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

            LossMethods.RegisterInvocationAction(start, symbols, (node, call, method) => Analyze(node, call, method, symbols));
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, IInvocationOperation call, IMethodSymbol loss, LossSymbols symbols)
    {
        if (!TorchOps.IsTorchSharp(call.TargetMethod) || Source(call, symbols) is not var (parameter, isPairHalf))
        {
            return;
        }

        var rank = LossParser.RankOf(loss, parameter);
        var dimensions = rank switch
        {
            "PerDatum" => 1,
            "KPerToken" => 3,
            _ => 2,
        };

        // unsqueeze inserts a dimension, so it may name one past the last.
        var high = call.TargetMethod.Name == "unsqueeze" ? dimensions : dimensions - 1;
        foreach (var argument in call.Arguments.Where(argument => argument.Parameter is { } declared && DimensionNames.Contains(declared.Name)))
        {
            foreach (var (dim, syntax) in ConstantDimensions(argument.Value))
            {
                if (dim < -(high + 1) || dim > high)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.DimensionOutsideDeclaredRank, syntax.GetLocation(), parameter.Name, loss.Name, Shape(rank, isPairHalf), rank, dim));
                }
            }
        }
    }

    /// <summary>The loss parameter the call reads as its tensor (the receiver, or a static call's first argument), directly or as a pair half.</summary>
    private static (IParameterSymbol Parameter, bool IsPairHalf)? Source(IInvocationOperation call, LossSymbols symbols)
    {
        var tensor = call.Instance ?? (call.Arguments.Length > 0 && symbols.IsTensor(call.Arguments[0].Parameter?.Type) ? call.Arguments[0].Value : null);
        while (tensor is IConversionOperation conversion)
        {
            tensor = conversion.Operand;
        }

        return tensor switch
        {
            IParameterReferenceOperation reference when symbols.IsTensor(reference.Parameter.Type) => (reference.Parameter, false),
            IPropertyReferenceOperation { Property.Name: "Chosen" or "Rejected", Instance: IParameterReferenceOperation pair } => (pair.Parameter, true),
            _ => null,
        };
    }

    private static IEnumerable<(long Dim, SyntaxNode Syntax)> ConstantDimensions(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value.ConstantValue is { HasValue: true, Value: int or long } constant)
        {
            yield return (System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture), value.Syntax);
        }
        else if (value is IArrayCreationOperation { Initializer: { } initializer })
        {
            foreach (var element in initializer.ElementValues)
            {
                foreach (var dim in ConstantDimensions(element))
                {
                    yield return dim;
                }
            }
        }
    }

    private static string Shape(string rank, bool isPairHalf)
    {
        var rows = isPairHalf ? "pairs" : "datums";
        return rank switch
        {
            "PerDatum" => $"[{rows}]",
            "KPerToken" => $"[{rows}, tokens, K]",
            _ => $"[{rows}, tokens]",
        };
    }
}
