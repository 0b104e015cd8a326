using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Mint.Dsl.Generators.Mappings;
using Mint.Dsl.Generators.Model;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Generators.Lowering;

/// <summary>
/// Lowers a loss method's body to an <see cref="OpGraph"/> by walking its operation tree:
/// straight-line code (locals, one <c>return</c>) over the ops of <see cref="TorchOps"/>, numbers
/// and config values, <c>Pair.Chosen</c>/<c>.Rejected</c>, and <c>new LossResult(…).Metric(…).Term(…)</c>.
/// Every construct that does not lower adds a <see cref="LoweringProblem"/> on that expression and
/// the walk goes on, so one pass reports them all (see <c>LossLowering.Unsupported.cs</c>).
/// User helper methods are not inlined: a call into one is reported like any unsupported call.
/// </summary>
internal sealed partial class LossLowering
{
    private const string PairMetadataName = "Mint.Dsl.Pair`1";
    private const string LossResultMetadataName = "Mint.Dsl.LossResult";
    private const string TargetLogprobsKey = "target_logprobs";

    private readonly LossModel model;
    private readonly IMethodSymbol method;
    private readonly CancellationToken cancellationToken;
    private readonly List<OpNode> nodes = [];
    private readonly Dictionary<string, int> leaves = [];
    private readonly Dictionary<ILocalSymbol, Lowered> locals = new(SymbolEqualityComparer.Default);
    private readonly List<LoweringProblem> problems = [];
    private readonly List<OpMetric> metrics = [];
    private readonly List<(string Name, Lowered Value, Lowered Weight)> terms = [];
    private int loss = -1;

    private LossLowering(LossModel model, IMethodSymbol method, CancellationToken cancellationToken)
    {
        this.model = model;
        this.method = method;
        this.cancellationToken = cancellationToken;
    }

    /// <summary>What a lowered expression is.</summary>
    private enum Kind
    {
        /// <summary>It did not lower; a problem was reported where it started.</summary>
        Invalid,

        /// <summary>A tensor node.</summary>
        Tensor,

        /// <summary>A .NET number node (constant, config, arithmetic on those).</summary>
        Number,

        /// <summary>A <c>Pair&lt;Tensor&gt;</c> parameter: the node holds the whole interleaved batch.</summary>
        Pair,
    }

    /// <summary>The generator's entry: the loss and its graph, or null when the signature or the body does not lower.</summary>
    public static LoweredLoss? Transform(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var loss = LossParser.Parse(context, cancellationToken);
        if (loss is null)
        {
            return null;
        }

        var result = Lower(loss, (IMethodSymbol)context.TargetSymbol, (MethodDeclarationSyntax)context.TargetNode, context.SemanticModel, cancellationToken);
        return result.Graph is null ? null : new LoweredLoss(loss, result.Graph);
    }

    /// <summary>Lowers <paramref name="syntax"/>'s body; the graph, or null and every problem.</summary>
    public static LoweringResult Lower(LossModel model, IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var lowering = new LossLowering(model, method, cancellationToken);
        var body = semanticModel.GetOperation(syntax, cancellationToken) as IMethodBodyOperation;
        var block = body?.BlockBody ?? body?.ExpressionBody;
        if (block is null)
        {
            lowering.Report(syntax.Identifier, "has no body the lowering can read");
        }
        else
        {
            lowering.LowerBlock(block);
        }

        if (lowering.problems.Count == 0 && lowering.loss < 0)
        {
            lowering.Report(syntax.Identifier, "returns no LossResult the lowering can follow");
        }


        return lowering.problems.Count > 0
            ? new LoweringResult(null, lowering.problems.ToEquatableArray())
            : new LoweringResult(
                new OpGraph(
                    lowering.nodes.ToEquatableArray(),
                    lowering.loss,
                    lowering.metrics.ToEquatableArray(),
                    lowering.terms.Select(term => new OpTerm(term.Name, term.Value.Node, term.Weight.Node)).ToEquatableArray()),
                EquatableArray<LoweringProblem>.Empty);
    }

    private void LowerBlock(IBlockOperation block)
    {
        foreach (var statement in block.Operations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (statement)
            {
                case IVariableDeclarationGroupOperation group:
                    foreach (var declarator in group.Declarations.SelectMany(declaration => declaration.Declarators))
                    {
                        var initializer = declarator.GetVariableInitializer()?.Value;
                        locals[declarator.Symbol] = initializer is null ? Invalid(declarator, "declares a local without a value") : Lower(initializer);
                    }

                    break;
                case IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment }:
                    locals[target.Local] = Lower(assignment.Value);
                    break;
                case IReturnOperation { ReturnedValue: { } returned }:
                    LowerResult(returned);
                    break;
                default:
                    ReportUnsupportedStatement(statement);
                    break;
            }
        }
    }

    /// <summary><c>new LossResult(loss)</c>, then any chain of <c>.Metric(name, value)</c>.</summary>
    private void LowerResult(IOperation operation)
    {
        switch (operation)
        {
            case IConversionOperation { IsImplicit: true } conversion when IsType(conversion.Type, LossResultMetadataName):
                // Target-typed 'new(...)' arrives wrapped in an implicit conversion to LossResult.
                LowerResult(conversion.Operand);
                return;
            case IObjectCreationOperation creation when IsType(creation.Type, LossResultMetadataName) && creation.Arguments.Length == 1:
                var value = Lower(creation.Arguments[0].Value);
                if (value.Kind == Kind.Tensor)
                {
                    loss = value.Node;
                }
                else if (value.Kind != Kind.Invalid)
                {
                    Report(creation.Arguments[0].Value.Syntax, "is not a tensor; the loss must be a tensor computed from the inputs");
                }

                return;
            case IInvocationOperation { TargetMethod.Name: "Metric", Instance: { } receiver } metric
                when IsType(metric.TargetMethod.ContainingType, LossResultMetadataName) && metric.Arguments.Length == 2:
                LowerResult(receiver);
                var name = metric.Arguments[0].Value.ConstantValue;
                var metricValue = Lower(metric.Arguments[1].Value);
                if (name is not { HasValue: true, Value: string metricName })
                {
                    Report(metric.Arguments[0].Value.Syntax, "is not a constant string; a graph names its metrics at compile time");
                }
                else if (metricValue.Kind is Kind.Tensor or Kind.Number)
                {
                    metrics.Add(new OpMetric(metricName, metricValue.Node));
                }
                else if (metricValue.Kind == Kind.Pair)
                {
                    Report(metric.Arguments[1].Value.Syntax, "is a whole pair; report .Chosen or .Rejected");
                }

                return;
            case IInvocationOperation { TargetMethod.Name: "Term", Instance: { } termReceiver } term
                when IsType(term.TargetMethod.ContainingType, LossResultMetadataName) && term.Arguments.Length == 3:
                LowerResult(termReceiver);
                LowerTerm(term);
                return;
            default:
                ReportUnsupported(operation);
                return;
        }
    }

    /// <summary><c>.Term(name, value, weight)</c>: a constant name, a tensor value, a number weight (constant or config).</summary>
    private void LowerTerm(IInvocationOperation term)
    {
        // Arguments in parameter order, whatever order (or names) the call used.
        IOperation Argument(string parameter) => term.Arguments.First(argument => argument.Parameter?.Name == parameter).Value;
        var name = Argument("name");
        var value = Lower(Argument("value"));
        var weight = Lower(Argument("weight"));
        if (name.ConstantValue is not { HasValue: true, Value: string termName })
        {
            Report(name.Syntax, "is not a constant string; a graph names its terms at compile time");
        }
        else if (value.Kind == Kind.Pair)
        {
            Report(Argument("value").Syntax, "is a whole pair; a term is a scalar tensor");
        }
        else if (value.Kind == Kind.Number)
        {
            Report(Argument("value").Syntax, "is a number; a term is a tensor computed from the inputs");
        }
        else if (value.Kind == Kind.Tensor && weight.Kind == Kind.Tensor)
        {
            Report(Argument("weight").Syntax, "is a tensor; a term's weight is a number (a constant or a config value)");
        }
        else if (value.Kind == Kind.Tensor && weight.Kind == Kind.Number)
        {
            terms.Add((termName, value, weight));
        }
    }

    private Lowered Lower(IOperation operation)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (operation.ConstantValue is { HasValue: true, Value: { } constant } && IsNumber(constant))
        {
            var number = System.Convert.ToDouble(constant, CultureInfo.InvariantCulture);
            if (double.IsNaN(number) || double.IsInfinity(number))
            {
                return Invalid(operation, "is not a finite number; a graph's constants are finite");
            }

            return Number(Add(new OpNode("const", EquatableArray<int>.Empty, null, number.ToString("R", CultureInfo.InvariantCulture), null, false)));
        }

        switch (operation)
        {
            case IConversionOperation conversion:
                return LowerConversion(conversion);
            case IParameterReferenceOperation parameter:
                return LowerParameter(parameter);
            case ILocalReferenceOperation local:
                return locals.TryGetValue(local.Local, out var value) ? value : Invalid(operation, "reads a local the lowering has not seen assigned");
            case IBinaryOperation binary when binary.OperatorMethod is not null:
                return LowerCall(binary, binary.OperatorMethod, null, [binary.LeftOperand, binary.RightOperand]);
            case IBinaryOperation binary:
                return LowerNumberArithmetic(binary);
            case IUnaryOperation unary when unary.OperatorMethod is not null:
                return LowerCall(unary, unary.OperatorMethod, null, [unary.Operand]);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus:
                return Lower(plus.Operand);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } minus when IsDouble(minus.Type):
                var operand = Lower(minus.Operand);
                return operand.Kind == Kind.Number ? Number(Apply("neg", operand)) : operand.Kind == Kind.Invalid ? operand : Invalid(minus, "negates something that is not a number");
            case IInvocationOperation invocation:
                var mapped = TorchOps.Find(invocation.TargetMethod);
                return mapped is null
                    ? Invalid(invocation, UnsupportedCall(invocation.TargetMethod))
                    : LowerCall(invocation, invocation.TargetMethod, invocation.Instance, invocation.Arguments.Select(argument => argument.Value).ToList(), invocation.Arguments);
            case IPropertyReferenceOperation { Property.Name: "Chosen" or "Rejected", Instance: { } instance } half
                when IsType(half.Property.ContainingType, PairMetadataName):
                var pair = Lower(instance);
                return pair.Kind switch
                {
                    Kind.Pair => Tensor(Apply(half.Property.Name == "Chosen" ? "chosen" : "rejected", pair)),
                    Kind.Invalid => pair,
                    _ => Invalid(half, "takes a half of something that is not a Pair<Tensor> parameter"),
                };
            default:
                return Invalid(operation, DescribeUnsupported(operation));
        }
    }

    private Lowered LowerConversion(IConversionOperation conversion)
    {
        var from = conversion.Operand.Type;
        var to = conversion.Type;
        if (conversion.OperatorMethod is { } userDefined)
        {
            // Numbers become TorchSharp Scalars where an op takes one: nothing to do.
            if (IsType(to, "TorchSharp.Scalar") && from is not null && IsNumericType(from))
            {
                return Lower(conversion.Operand);
            }

            return Invalid(conversion, IsTensor(from) ? "converts a tensor to a .NET value, which leaves the graph (and autograd)" : UnsupportedCall(userDefined));
        }

        if (conversion.Conversion.IsIdentity || (conversion.Conversion.IsNumeric && to is not null && IsNumericType(to)))
        {
            return Lower(conversion.Operand);
        }

        return Invalid(conversion, $"converts '{from?.ToDisplayString()}' to '{to?.ToDisplayString()}'");
    }

    private Lowered LowerParameter(IParameterReferenceOperation reference)
    {
        var ordinal = reference.Parameter.Ordinal;
        if (!SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, method) || ordinal >= model.Parameters.Count)
        {
            return Invalid(reference, "reads a parameter of another method");
        }

        var parameter = model.Parameters[ordinal];
        switch (parameter.Role)
        {
            case ParameterRole.Config:
                return Number(Leaf("config", parameter.Key));
            default:
                var key = parameter.Role == ParameterRole.TargetLogprobs ? TargetLogprobsKey : parameter.Key;
                var node = Leaf("input", key);
                return parameter.IsPair ? new Lowered(Kind.Pair, node) : Tensor(node);
        }
    }

    /// <summary>Arithmetic on .NET doubles (config values and constants), kept as number nodes.</summary>
    private Lowered LowerNumberArithmetic(IBinaryOperation binary)
    {
        var op = binary.OperatorKind switch
        {
            BinaryOperatorKind.Add => "add",
            BinaryOperatorKind.Subtract => "sub",
            BinaryOperatorKind.Multiply => "mul",
            BinaryOperatorKind.Divide => "div",
            _ => null,
        };
        if (op is null || !IsDouble(binary.Type))
        {
            return Invalid(binary, op is null
                ? $"uses the .NET operator '{binary.OperatorKind}', which has no graph op"
                : $"is {binary.Type?.ToDisplayString()} arithmetic in .NET; only double arithmetic on numbers lowers");
        }

        var left = Lower(binary.LeftOperand);
        var right = Lower(binary.RightOperand);
        if (left.Kind == Kind.Invalid || right.Kind == Kind.Invalid)
        {
            return default;
        }

        return left.Kind == Kind.Number && right.Kind == Kind.Number
            ? Number(Apply(op, left, right))
            : Invalid(binary, "mixes numbers with something else in .NET arithmetic");
    }

    /// <summary>A member of the op table, its arguments read by role.</summary>
    private Lowered LowerCall(IOperation call, IMethodSymbol target, IOperation? receiver, IReadOnlyList<IOperation> values, IReadOnlyList<IArgumentOperation>? arguments = null)
    {
        var mapping = TorchOps.Find(target);
        if (mapping is null)
        {
            return Invalid(call, UnsupportedCall(target));
        }

        var operands = new List<IOperation?>();
        var kinds = new List<ArgumentKind>();
        if (receiver is not null)
        {
            operands.Add(receiver);
            kinds.Add(ArgumentKind.Explicit);
        }

        operands.AddRange(values);
        kinds.AddRange(arguments?.Select(argument => argument.ArgumentKind) ?? values.Select(_ => ArgumentKind.Explicit));

        var args = new List<int>();
        int? dim = null;
        var keepDim = false;
        var key = mapping.Key;
        var valid = true;
        for (var index = 0; index < mapping.Roles.Length && index < operands.Count; index++)
        {
            var operand = operands[index]!;
            switch (mapping.Roles[index])
            {
                case ArgRole.Tensor:
                case ArgRole.Number:
                    var wanted = mapping.Roles[index] == ArgRole.Tensor ? Kind.Tensor : Kind.Number;
                    var value = Lower(operand);
                    if (value.Kind == Kind.Invalid)
                    {
                        valid = false;
                    }
                    else if (value.Kind != wanted)
                    {
                        valid = false;
                        Report(operand.Syntax, value.Kind == Kind.Pair
                            ? "is a whole Pair<Tensor>; use .Chosen or .Rejected"
                            : $"is a {value.Kind.ToString().ToLowerInvariant()} where '{target.Name}' takes a {wanted.ToString().ToLowerInvariant()}");
                    }
                    else
                    {
                        args.Add(value.Node);
                    }

                    break;
                case ArgRole.Dim:
                    dim = ConstantInt(operand);
                    valid &= dim is not null || Fail(operand, "is not a constant dimension");
                    break;
                case ArgRole.DimArray:
                    dim = SingleConstantDim(operand);
                    valid &= dim is not null || Fail(operand, "is not one constant dimension (write new long[] { 1 })");
                    break;
                case ArgRole.KeepDim:
                    keepDim = operand.ConstantValue is { HasValue: true, Value: true };
                    valid &= operand.ConstantValue is { HasValue: true, Value: bool } || Fail(operand, "is not a constant keepdim flag");
                    break;
                case ArgRole.DType:
                    key = DType(operand);
                    valid &= key is not null || Fail(operand, "is not a dtype the graph knows (float32, float64, int64, bool)");
                    break;
                case ArgRole.Default:
                    valid &= kinds[index] == ArgumentKind.DefaultValue || Fail(operand, $"sets an argument of '{target.Name}' the graph op does not take; leave it at its default");
                    break;
            }
        }

        if (!valid)
        {
            return default;
        }

        var node = Add(new OpNode(mapping.Op, args.ToEquatableArray(), key, null, dim, keepDim));
        return Tensor(node);
    }

    private bool Fail(IOperation operation, string reason)
    {
        Report(operation.Syntax, reason);
        return false;
    }

    private static int? ConstantInt(IOperation operation) => operation.ConstantValue is { HasValue: true, Value: { } value } && value is int or long
        ? System.Convert.ToInt32(value, CultureInfo.InvariantCulture)
        : null;

    private static int? SingleConstantDim(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation switch
        {
            IArrayCreationOperation { Initializer.ElementValues: { Length: 1 } elements } => ConstantInt(elements[0]),
            ICollectionExpressionOperation { Elements: { Length: 1 } elements } => ConstantInt(elements[0]),
            _ => null,
        };
    }

    private static string? DType(IOperation operation)
    {
        if (operation.ConstantValue is { HasValue: true, Value: int value })
        {
            return TorchOps.DTypeValues.TryGetValue(value, out var fromValue) ? fromValue : null;
        }

        return operation is IFieldReferenceOperation { Field: { } field } && TorchOps.IsTorchSharp(field)
            && TorchOps.DTypeFields.TryGetValue(field.Name, out var fromField)
            ? fromField
            : null;
    }

    private int Leaf(string op, string key)
    {
        var id = op + ":" + key;
        if (!leaves.TryGetValue(id, out var node))
        {
            node = Add(new OpNode(op, EquatableArray<int>.Empty, key, null, null, false));
            leaves[id] = node;
        }

        return node;
    }

    private int Apply(string op, params Lowered[] args) =>
        Add(new OpNode(op, args.Select(arg => arg.Node).ToEquatableArray(), null, null, null, false));

    private int Add(OpNode node)
    {
        nodes.Add(node);
        return nodes.Count - 1;
    }

    private static Lowered Tensor(int node) => new(Kind.Tensor, node);

    private static Lowered Number(int node) => new(Kind.Number, node);

    private static bool IsNumber(object value) => value is double or float or int or long or short or byte or sbyte or uint or ulong or ushort or decimal;

    private static bool IsDouble(ITypeSymbol? type) => type?.SpecialType == SpecialType.System_Double;

    private static bool IsNumericType(ITypeSymbol type) => type.SpecialType is SpecialType.System_Double or SpecialType.System_Single
        or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte;

    private static bool IsTensor(ITypeSymbol? type) => IsType(type, "TorchSharp.torch+Tensor");

    private static bool IsType(ITypeSymbol? type, string metadataName)
    {
        var definition = (type as INamedTypeSymbol)?.OriginalDefinition ?? type;
        return definition is not null && TorchOps.PlainName(definition) == metadataName;
    }

    /// <summary>A lowered expression: what it is and the node holding it.</summary>
    private readonly record struct Lowered(Kind Kind, int Node);
}
