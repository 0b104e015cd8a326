using Microsoft.CodeAnalysis;

namespace Mint.Dsl.Generators.Diagnostics;

/// <summary>
/// Every diagnostic Mint.Dsl reports, in one catalog. IDs are stable and never reused; each has a
/// page under <c>docs/diagnostics/</c>.
/// </summary>
/// <remarks>
/// <para>
/// One file, two assemblies: the generator compiles it, and <c>analyzers/Mint.Dsl.Analyzers</c>
/// links it (together with the loss parser, so the signature rules exist once).
/// </para>
/// <para>
/// Who reports what: the <b>analyzers report every MINT diagnostic</b>, MINT001–009 included, so the
/// IDE shows them live while the user types. The generator runs the same parser but only uses its
/// verdict: a loss with a signature problem gets no generated code, and the generator reports
/// nothing. A normal build runs both, so each problem is reported exactly once. The package always
/// ships the two together; a project that references the generator alone gets no MINT diagnostics.
/// </para>
/// </remarks>
internal static class DiagnosticDescriptors
{
    private const string Category = "Mint.Dsl";

    public static readonly DiagnosticDescriptor LossMethodMustBeStatic = Error(
        "MINT001",
        "Loss methods must be static",
        "Loss method '{0}' must be static; add the 'static' modifier");

    public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = Error(
        "MINT002",
        "Types that contain losses must be partial",
        "Type '{0}' contains loss method '{1}' and must be partial so the generated definition can be added to it; add the 'partial' modifier");

    public static readonly DiagnosticDescriptor LossMethodMustNotBeGenericOrAsync = Error(
        "MINT003",
        "Loss methods cannot be generic or async",
        "Loss method '{0}' is {1}; a loss is a plain synchronous method over tensors, so remove the {2}");

    public static readonly DiagnosticDescriptor ParameterMustBeByValue = Error(
        "MINT004",
        "Loss parameters are passed by value",
        "Parameter '{0}' of loss method '{1}' is '{2}'; remove the modifier");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error(
        "MINT005",
        "Unsupported loss parameter type",
        "Parameter '{0}' of loss method '{1}' has type '{2}', which is neither a per-token input nor a value a loss config can carry; use Tensor or Pair<Tensor> for per-token inputs, or double, float, int, long or bool for loss config (without a default value the config is required)");

    public static readonly DiagnosticDescriptor MissingTargetLogprobs = Error(
        "MINT006",
        "Loss has no target log-probs parameter",
        "Loss method '{0}' {1}; declare exactly one Tensor or Pair<Tensor> parameter named 'logprobs' or 'targetLogprobs', or mark one with [TargetLogprobs]");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "MINT007",
        "Loss methods return LossResult",
        "Loss method '{0}' returns '{1}'; return a Mint.Dsl.LossResult built from the scalar loss");

    public static readonly DiagnosticDescriptor MixedPairParameters = Error(
        "MINT008",
        "Pair<Tensor> mixed with unpaired tensors",
        "Parameter '{0}' of loss method '{1}' is an unpaired Tensor but other parameters are Pair<Tensor>; a paired batch has no rows of single datums, so make it Pair<Tensor>");

    public static readonly DiagnosticDescriptor DuplicateKey = Error(
        "MINT009",
        "Two parameters bind the same key",
        "Parameters of loss method '{0}' bind key '{1}' twice; give one of them another name or key");

    // Needs every loss in the compilation, so it is reported when the compilation ends.
    public static readonly DiagnosticDescriptor DuplicateLossName = Error(
        "MINT010",
        "Two losses share one name",
        "Loss name '{0}' is used by both '{1}' and '{2}'; a name identifies one loss on the wire and in metrics, so rename one of them",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor LossShadowsBuiltin = Error(
        "MINT011",
        "Custom loss named like a built-in",
        "Loss method '{0}' is named '{1}', the name of a built-in loss, so a server could not tell the two apart; choose another name");

    public static readonly DiagnosticDescriptor GradientLeavesGraph = Warning(
        "MINT012",
        "Gradient break: a log-probs value leaves the autograd graph",
        "'{0}' in loss method '{1}' turns a tensor computed from the log-probs into a .NET value that flows into the returned loss, so no gradient flows through it; keep it a tensor (call .detach() if it is meant to be a constant), or report it only with .Metric(...)");

    public static readonly DiagnosticDescriptor GradientSevered = Warning(
        "MINT013",
        "Gradient break: the loss no longer depends on the log-probs",
        "'{0}' in loss method '{1}' cuts every path from the log-probs to the returned loss, so the loss's gradient is zero; remove it, or apply it only to factors meant to be held constant");

    public static readonly DiagnosticDescriptor InPlaceOnLogprobs = Error(
        "MINT014",
        "In-place operation on the log-probs",
        "'{0}' modifies log-probs parameter '{1}' of loss method '{2}' in place, which breaks autograd; use the out-of-place '{3}' and keep its result");

    public static readonly DiagnosticDescriptor BuiltinThroughCustomPath = Warning(
        "MINT015",
        "Built-in loss sent through the custom-loss path",
        "'{0}' is the built-in loss '{1}'; ForwardBackwardCustomAsync would compute it on the client at the cost of a second pass, so call ForwardBackwardAsync(data, {2})");

    public static readonly DiagnosticDescriptor CustomThroughBuiltinPath = Error(
        "MINT016",
        "Custom loss sent through the built-in path",
        "'{0}' is the custom loss of '{1}', which runs on the client; ForwardBackwardAsync only runs built-in losses, so call ForwardBackwardCustomAsync(data, {2})");

    public static readonly DiagnosticDescriptor UnknownBuiltinName = Error(
        "MINT017",
        "LossFn.FromName names no built-in loss",
        "LossFn.FromName(\"{0}\") names no built-in loss and would throw; use one of: {1}");

    public static readonly DiagnosticDescriptor LossRunsOnClient = Info(
        "MINT018",
        "Loss does not lower to a graph: it runs on the client",
        "Loss '{0}' runs on the client in two passes because '{1}' {2}; over a server only losses built from loss-graph ops run inside the forward/backward pass");

    public static readonly DiagnosticDescriptor ServerExecutionRequired = Error(
        "MINT019",
        "Loss requires server execution but does not lower",
        "Loss '{0}' requires server execution, but '{1}' {2}; rewrite it with loss-graph ops, or remove RequireServerExecution");

    public static readonly DiagnosticDescriptor InvalidLossTermName = Error(
        "MINT040",
        "Invalid loss term or metric name",
        "{0} name '{1}' in loss method '{2}' {3}; LossResult would throw when the loss runs, so give it another name");

    public static readonly DiagnosticDescriptor InvalidInputRank = Error(
        "MINT041",
        "Input rank cannot hold",
        "Parameter '{0}' of loss method '{1}' {2}");

    public static readonly DiagnosticDescriptor DimensionOutsideDeclaredRank = Error(
        "MINT042",
        "Dimension outside the input's declared rank",
        "'{0}' in loss method '{1}' is {2} (InputRank.{3}), so it has no dimension {4}; declare the rank the body reads ([TargetLogprobs(Rank = …)] or [LossInput(Rank = …)]) or use a dimension it has");

    public static readonly DiagnosticDescriptor InvalidConfigRange = Error(
        "MINT030",
        "Config range or order cannot hold",
        "Loss method '{0}': {1}; fix the [LossConfig] bounds, the [LossConfigOrder] names or the defaults");

    private static DiagnosticDescriptor Error(string id, string title, string message, params string[] tags) =>
        Create(id, title, message, DiagnosticSeverity.Error, tags);

    private static DiagnosticDescriptor Warning(string id, string title, string message, params string[] tags) =>
        Create(id, title, message, DiagnosticSeverity.Warning, tags);

    private static DiagnosticDescriptor Info(string id, string title, string message, params string[] tags) =>
        Create(id, title, message, DiagnosticSeverity.Info, tags);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity, string[] tags) => new(
        id,
        title,
        message,
        Category,
        severity,
        isEnabledByDefault: true,
        helpLinkUri: $"docs/diagnostics/{id}.md",
        customTags: tags);
}
