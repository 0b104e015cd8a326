using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Mint.Dsl.Generators.Diagnostics;

/// <summary>
/// Every diagnostic Mint.Dsl reports, in one catalog. IDs are stable and never reused; each has a
/// page under <c>docs/diagnostics/</c>.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Mint.Dsl";

    public static readonly DiagnosticDescriptor LossMethodMustBeStatic = Create(
        "MINT001",
        "Loss methods must be static",
        "Loss method '{0}' must be static; add the 'static' modifier");

    public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = Create(
        "MINT002",
        "Types that contain losses must be partial",
        "Type '{0}' contains loss method '{1}' and must be partial so the generated definition can be added to it; add the 'partial' modifier");

    public static readonly DiagnosticDescriptor LossMethodMustNotBeGenericOrAsync = Create(
        "MINT003",
        "Loss methods cannot be generic or async",
        "Loss method '{0}' is {1}; a loss is a plain synchronous method over tensors, so remove the {2}");

    public static readonly DiagnosticDescriptor ParameterMustBeByValue = Create(
        "MINT004",
        "Loss parameters are passed by value",
        "Parameter '{0}' of loss method '{1}' is '{2}'; remove the modifier");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Create(
        "MINT005",
        "Unsupported loss parameter type",
        "Parameter '{0}' of loss method '{1}' has type '{2}'; use Tensor or Pair<Tensor> for per-token inputs, or double, float, int, long or bool for loss config");

    public static readonly DiagnosticDescriptor MissingTargetLogprobs = Create(
        "MINT006",
        "Loss has no target log-probs parameter",
        "Loss method '{0}' {1}; declare exactly one Tensor or Pair<Tensor> parameter named 'logprobs' or 'targetLogprobs', or mark one with [TargetLogprobs]");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Create(
        "MINT007",
        "Loss methods return LossResult",
        "Loss method '{0}' returns '{1}'; return a Mint.Dsl.LossResult built from the scalar loss");

    public static readonly DiagnosticDescriptor MixedPairParameters = Create(
        "MINT008",
        "Pair<Tensor> mixed with per-datum tensors",
        "Parameter '{0}' of loss method '{1}' is a per-datum Tensor but other parameters are Pair<Tensor>; a paired batch has no per-datum rows, so make it Pair<Tensor>");

    public static readonly DiagnosticDescriptor DuplicateKey = Create(
        "MINT009",
        "Two parameters bind the same key",
        "Parameters of loss method '{0}' bind key '{1}' twice; give one of them another name or key");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = new[]
    {
        LossMethodMustBeStatic, ContainingTypeMustBePartial, LossMethodMustNotBeGenericOrAsync,
        ParameterMustBeByValue, UnsupportedParameterType, MissingTargetLogprobs, UnsupportedReturnType,
        MixedPairParameters, DuplicateKey,
    }.ToDictionary(descriptor => descriptor.Id);

    public static DiagnosticDescriptor ById(string id) => All[id];

    private static DiagnosticDescriptor Create(string id, string title, string message) => new(
        id,
        title,
        message,
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: $"docs/diagnostics/{id}.md");
}
