using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Mint.Dsl.Analyzers.Dispatch;

/// <summary>
/// Recognises the two dispatch methods of <c>Mint.Client.TrainingClient</c> by name, so the analyzers
/// need no reference to the client assembly (it ships separately from the DSL).
/// </summary>
internal static class TrainingClientCalls
{
    public const string TrainingClient = "TrainingClient";
    public const string BuiltinMethod = "ForwardBackwardAsync";
    public const string CustomMethod = "ForwardBackwardCustomAsync";

    public static bool Is(IInvocationOperation? invocation, string methodName) =>
        invocation is not null
        && invocation.TargetMethod.Name == methodName
        && invocation.TargetMethod.ContainingType?.Name == TrainingClient;

    /// <summary>The argument of <paramref name="invocation"/> whose parameter has type <paramref name="type"/>.</summary>
    public static IArgumentOperation? ArgumentOfType(IInvocationOperation invocation, INamedTypeSymbol? type)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter && SymbolEqualityComparer.Default.Equals(parameter.Type, type))
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>The call that <paramref name="value"/> is an argument of, looking through implicit conversions.</summary>
    public static IInvocationOperation? CallTaking(IOperation value)
    {
        var parent = value.Parent;
        while (parent is IConversionOperation { IsImplicit: true })
        {
            parent = parent.Parent;
        }

        return parent is IArgumentOperation { Parent: IInvocationOperation call } ? call : null;
    }

    public static IOperation WithoutImplicitConversions(IOperation value)
    {
        while (value is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion.Operand;
        }

        return value;
    }
}
