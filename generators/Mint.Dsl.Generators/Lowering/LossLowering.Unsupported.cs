using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Mint.Dsl.Generators.Mappings;
using Mint.Dsl.Generators.Model;

namespace Mint.Dsl.Generators.Lowering;

/// <summary>
/// The constructs that keep a loss body from lowering, each reported on its own expression with a
/// reason the author can act on. The analyzer turns these into MINT018 (or MINT019 when the loss
/// requires server execution); the generator only uses the verdict.
/// </summary>
internal sealed partial class LossLowering
{
    private const int MaxExpressionLength = 60;

    private static string UnsupportedCall(IMethodSymbol target)
    {
        var name = target.ContainingType is null ? target.Name : $"{target.ContainingType.Name}.{target.Name}";
        if (target.Name == "item" && TorchOps.IsTorchSharp(target))
        {
            return "reads a tensor into a .NET value (.item()), which leaves the graph (and autograd)";
        }

        if (TorchOps.IsTorchSharp(target))
        {
            return $"calls '{name}', which is not in the loss-graph op set (or not with these parameter types)";
        }

        if (target.ContainingAssembly?.Name is "System.Runtime" or "System.Private.CoreLib" or "mscorlib" or "netstandard")
        {
            return $"calls the .NET method '{name}'; in a loss graph numbers take only + - * /, the rest is tensor ops";
        }

        return $"calls '{name}', a method outside the op set; loss graphs do not inline helpers, so write its body here";
    }

    private static string DescribeUnsupported(IOperation operation) => operation switch
    {
        IConditionalOperation => "is .NET control flow (a conditional); use where(condition, x, y) on tensors",
        ICoalesceOperation => "is .NET control flow (??)",
        ILoopOperation => "is a loop; a loss graph is straight-line code",
        IAnonymousFunctionOperation => "is a lambda; a loss graph holds no functions",
        IObjectCreationOperation creation => $"creates a '{creation.Type?.Name}', which a loss graph cannot hold",
        IArrayCreationOperation or ICollectionExpressionOperation => "creates an array, which a loss graph cannot hold",
        IFieldReferenceOperation field => $"reads field '{field.Field.Name}', which the graph cannot carry; pass it as loss config",
        IPropertyReferenceOperation property => $"reads property '{property.Property.Name}', which has no graph op",
        IInterpolatedStringOperation or ILiteralOperation => "is a value the graph cannot carry",
        IAssignmentOperation => "assigns inside an expression; assign locals in their own statements",
        _ => $"is a {operation.Kind} expression, which the lowering does not support",
    };

    private void ReportUnsupportedStatement(IOperation statement)
    {
        var reason = statement switch
        {
            IConditionalOperation => "is an if statement: .NET control flow; use where(condition, x, y) on tensors",
            ILoopOperation => "is a loop; a loss graph is straight-line code",
            IUsingOperation or IUsingDeclarationOperation => "is a using statement; the engine bounds tensor lifetimes itself",
            ITryOperation => "is a try statement; a loss graph is straight-line code",
            ILocalFunctionOperation => "is a local function; a loss graph holds no functions",
            IExpressionStatementOperation => "is a statement with effects; a loss graph computes values only",
            _ => $"is a {statement.Kind} statement, which the lowering does not support",
        };
        Report(statement.Syntax, reason);
    }

    private void ReportUnsupported(IOperation operation) => Report(operation.Syntax, operation is IInvocationOperation invocation
        ? UnsupportedCall(invocation.TargetMethod)
        : DescribeUnsupported(operation));

    private Lowered Invalid(IOperation operation, string reason)
    {
        Report(operation.Syntax, reason);
        return default;
    }

    private void Report(SyntaxNode node, string reason) => Report(node.Span, node.ToString(), reason);

    private void Report(SyntaxToken token, string reason) => Report(token.Span, token.Text, reason);

    private void Report(Microsoft.CodeAnalysis.Text.TextSpan span, string text, string reason)
    {
        var expression = text.Replace("\r", " ").Replace("\n", " ");
        while (expression.Contains("  "))
        {
            expression = expression.Replace("  ", " ");
        }

        if (expression.Length > MaxExpressionLength)
        {
            expression = expression.Substring(0, MaxExpressionLength - 1) + "…";
        }

        problems.Add(new LoweringProblem(span.Start, span.Length, expression, reason));
    }
}
