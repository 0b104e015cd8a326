using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Mint.Dsl.Analyzers.Gradients;

/// <summary>
/// Backward dataflow over one loss method body: from the value handed to <c>new LossResult(…)</c>
/// back to the log-probs parameter, through locals (every assignment counts, in any order: a
/// may-analysis, which is what a warning needs), operators, calls and conversions; a <c>.Term(…)</c>
/// value is part of the loss too. Values that only
/// reach <c>.Metric(…)</c> are never visited, so reading them as .NET numbers is fine.
/// </summary>
internal sealed class GradientFlow
{
    // Tensor members that turn a tensor into .NET values (instance methods or extension methods).
    private static readonly ImmutableHashSet<string> LeavingMembers = ImmutableHashSet.Create(
        "item", "data", "tolist", "numpy", "ToScalar", "ToArray",
        "ToSingle", "ToDouble", "ToHalf", "ToBFloat16", "ToBoolean", "ToByte", "ToSByte",
        "ToInt16", "ToInt32", "ToInt64", "ToComplexFloat32", "ToComplexFloat64", "ToComplex32", "ToComplex64");

    private static readonly ImmutableHashSet<string> DetachingMembers = ImmutableHashSet.Create("detach", "detach_");

    private const int MaxRounds = 8;

    private static readonly ImmutableHashSet<string> NoGradScopes = ImmutableHashSet.Create("no_grad", "inference_mode");

    private readonly LossSymbols symbols;
    private readonly ImmutableHashSet<IParameterSymbol> logprobs;
    private readonly Dictionary<ISymbol, List<IOperation>> assignments = new(SymbolEqualityComparer.Default);
    private readonly List<(TextSpan Scope, GradientBreak Site)> noGradScopes = [];
    private readonly Dictionary<ISymbol, GradientTrace> traced = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, GradientTrace> estimates = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ISymbol> tracing = new(SymbolEqualityComparer.Default);
    private bool readEstimate;
    private bool estimateGrew;

    public GradientFlow(IOperation body, IEnumerable<IParameterSymbol> logprobs, LossSymbols symbols)
    {
        this.symbols = symbols;
        this.logprobs = logprobs.ToImmutableHashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in body.DescendantsAndSelf())
        {
            Index(operation);
        }

        LossValues = body.DescendantsAndSelf()
            .OfType<IObjectCreationOperation>()
            .Where(creation => SymbolEqualityComparer.Default.Equals(creation.Type, symbols.LossResult) && creation.Arguments.Length > 0)
            .Select(creation => creation.Arguments[0].Value)
            .Concat(body.DescendantsAndSelf()
                .OfType<IInvocationOperation>()
                .Where(call => call.TargetMethod.Name == "Term" && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, symbols.LossResult))
                .SelectMany(call => call.Arguments.Where(argument => argument.Parameter?.Name == "value").Select(argument => argument.Value)))
            .ToImmutableArray();
    }

    /// <summary>
    /// The loss values of the method: the first argument of every <c>new LossResult(…)</c> and the
    /// value of every <c>.Term(…)</c>, which is added to the loss.
    /// </summary>
    public ImmutableArray<IOperation> LossValues { get; }

    /// <summary>Where the loss value <paramref name="value"/> comes from, with respect to the log-probs.</summary>
    /// <remarks>
    /// A local that feeds its own next value (<c>loss = loss / scale</c> with <c>scale</c> read from
    /// <c>loss</c>) is read, while it is being traced, as its estimate so far; rounds repeat until the
    /// estimates stop growing (they only grow, so this ends quickly).
    /// </remarks>
    public GradientTrace TraceLoss(IOperation value)
    {
        for (var round = 0; ; round++)
        {
            traced.Clear();
            readEstimate = estimateGrew = false;
            var trace = Trace(value);
            if (!(readEstimate && estimateGrew) || round == MaxRounds)
            {
                return trace;
            }
        }
    }

    private GradientTrace Trace(IOperation? value)
    {
        if (value is null)
        {
            return GradientTrace.None;
        }

        var trace = value switch
        {
            IParameterReferenceOperation reference => (logprobs.Contains(reference.Parameter) ? GradientTrace.Logprobs : GradientTrace.None)
                .Union(TraceSymbol(reference.Parameter)),
            ILocalReferenceOperation reference => TraceSymbol(reference.Local),
            IInvocationOperation invocation => TraceInvocation(invocation),
            IConversionOperation { OperatorMethod: not null } conversion when symbols.IsTensor(conversion.Operand.Type) && !symbols.IsTensor(conversion.Type) =>
                Trace(conversion.Operand).CutBy(new GradientBreak(conversion, GradientBreakKind.LeavesGraph)),
            IAnonymousFunctionOperation or ILocalFunctionOperation => GradientTrace.None,
            _ => value.ChildOperations.Aggregate(GradientTrace.None, (sum, child) => sum.Union(Trace(child))),
        };

        // A value computed inside a no_grad() scope has no gradient; merely naming a variable there computes nothing.
        if (trace.Live && value is not (IParameterReferenceOperation or ILocalReferenceOperation))
        {
            foreach (var (scope, site) in noGradScopes)
            {
                if (scope.Contains(value.Syntax.Span))
                {
                    return trace.CutBy(site);
                }
            }
        }

        return trace;
    }

    private GradientTrace TraceInvocation(IInvocationOperation invocation)
    {
        var inputs = Trace(invocation.Instance);
        foreach (var argument in invocation.Arguments)
        {
            inputs = inputs.Union(Trace(argument.Value));
        }

        var method = invocation.TargetMethod;
        var receiver = method.IsExtensionMethod && method.Parameters.Length > 0 ? method.Parameters[0].Type : method.ContainingType;
        if (!symbols.IsTensor(receiver))
        {
            return inputs;
        }

        return LeavingMembers.Contains(method.Name) ? inputs.CutBy(new GradientBreak(invocation, GradientBreakKind.LeavesGraph))
            : DetachingMembers.Contains(method.Name) ? inputs.CutBy(new GradientBreak(invocation, GradientBreakKind.StopsGradient))
            : inputs;
    }

    private GradientTrace TraceSymbol(ISymbol symbol)
    {
        if (traced.TryGetValue(symbol, out var known))
        {
            return known;
        }

        if (!assignments.TryGetValue(symbol, out var values))
        {
            return GradientTrace.None;
        }

        if (!tracing.Add(symbol))
        {
            readEstimate = true;
            return estimates.TryGetValue(symbol, out var estimate) ? estimate : GradientTrace.None;
        }

        var trace = values.Aggregate(GradientTrace.None, (sum, value) => sum.Union(Trace(value)));
        tracing.Remove(symbol);
        traced[symbol] = trace;
        if (!estimates.TryGetValue(symbol, out var previous) || previous.Live != trace.Live || !previous.Breaks.SetEquals(trace.Breaks))
        {
            estimates[symbol] = trace;
            estimateGrew = true;
        }

        return trace;
    }

    private void Index(IOperation operation)
    {
        switch (operation)
        {
            case IVariableDeclaratorOperation declarator when declarator.GetVariableInitializer() is { } initializer:
                Assign(declarator.Symbol, initializer.Value);
                break;
            case IAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                Assign(local.Local, assignment.Value);
                break;
            case IAssignmentOperation { Target: IParameterReferenceOperation parameter } assignment:
                Assign(parameter.Parameter, assignment.Value);
                break;
            case IInvocationOperation invocation when NoGradScopes.Contains(invocation.TargetMethod.Name)
                && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, symbols.Torch):
                if (ScopeOf(invocation.Syntax) is { } scope)
                {
                    noGradScopes.Add((scope, new GradientBreak(invocation, GradientBreakKind.StopsGradient)));
                }

                break;
        }
    }

    private void Assign(ISymbol symbol, IOperation value)
    {
        if (!assignments.TryGetValue(symbol, out var values))
        {
            assignments[symbol] = values = [];
        }

        values.Add(value);
    }

    /// <summary>The statements a <c>using (no_grad())</c> or <c>using var _ = no_grad();</c> covers.</summary>
    private static TextSpan? ScopeOf(SyntaxNode call)
    {
        foreach (var ancestor in call.Ancestors())
        {
            switch (ancestor)
            {
                case UsingStatementSyntax statement:
                    return statement.Statement.Span;
                case LocalDeclarationStatementSyntax declaration when declaration.UsingKeyword.IsKind(SyntaxKind.UsingKeyword):
                    return declaration.Parent is BlockSyntax block
                        ? TextSpan.FromBounds(declaration.Span.End, block.CloseBraceToken.SpanStart)
                        : null;
                case StatementSyntax:
                    return null;
            }
        }

        return null;
    }
}
