using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Model;

namespace Mint.Dsl.Analyzers.Dispatch;

/// <summary>
/// MINT015–MINT017: a loss sent down the wrong path. Built-ins run on the server in one pass
/// (<c>ForwardBackwardAsync(data, LossFn.X)</c>); custom losses run on the client
/// (<c>ForwardBackwardCustomAsync(data, Type.XLoss)</c>). <c>LossFn.FromName</c> only knows the
/// built-ins, so a constant name is checked against them and against the compilation's own losses.
/// Those are collected only when such a name is met, so every diagnostic is reported at its call, live.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LossDispatchAnalyzer : DiagnosticAnalyzer
{
    /// <summary>MINT015: the <c>LossFn</c> member that selects the built-in (<c>Ppo</c>, <c>CrossEntropy</c>).</summary>
    public const string LossFnMemberProperty = "LossFnMember";

    /// <summary>MINT015: "true" when that member is a method (<c>LossFn.Ppo(…)</c>), else a property.</summary>
    public const string LossFnIsMethodProperty = "LossFnIsMethod";

    /// <summary>MINT015: "true" when the <c>LossFn</c> method has parameters without defaults (<c>Dro(beta)</c>).</summary>
    public const string LossFnNeedsArgumentsProperty = "LossFnNeedsArguments";

    /// <summary>MINT015: the built-in's name, for <c>LossFn.FromName</c> when config is bound as a dictionary.</summary>
    public const string BuiltinNameProperty = "BuiltinName";

    /// <summary>MINT016: the fully qualified generated property of the custom loss.</summary>
    public const string LossPropertyProperty = "LossProperty";

    private const string FromName = "FromName";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.BuiltinThroughCustomPath,
        DiagnosticDescriptors.CustomThroughBuiltinPath,
        DiagnosticDescriptors.UnknownBuiltinName);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LossSymbols.From(start.Compilation) is not { LossFn: not null } symbols)
            {
                return;
            }

            var compilation = start.Compilation;
            var customLosses = new Lazy<IReadOnlyList<DeclaredLoss>>(() => DeclaredLoss.AllIn(compilation, symbols, CancellationToken.None));
            // Only calls spelled like the two dispatch methods or FromName get an operation tree.
            start.RegisterSyntaxNodeAction(
                node =>
                {
                    var name = InvokedName((InvocationExpressionSyntax)node.Node);
                    if (name is not (TrainingClientCalls.CustomMethod or FromName)
                        || node.SemanticModel.GetOperation(node.Node, node.CancellationToken) is not IInvocationOperation invocation)
                    {
                        return;
                    }

                    if (TrainingClientCalls.Is(invocation, TrainingClientCalls.CustomMethod))
                    {
                        CheckCustomCall(node, invocation, symbols);
                    }
                    else if (SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, symbols.LossFn)
                        && invocation.TargetMethod.Name == FromName
                        && invocation.Arguments.Length > 0
                        && invocation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string lossName }
                        && !symbols.Builtins.ContainsKey(lossName))
                    {
                        CheckName(node, invocation, lossName, customLosses.Value, symbols);
                    }
                },
                SyntaxKind.InvocationExpression);
        });
    }

    private static void CheckCustomCall(SyntaxNodeAnalysisContext context, IInvocationOperation call, LossSymbols symbols)
    {
        var argument = TrainingClientCalls.ArgumentOfType(call, symbols.LossDefinition)
            ?? (call.Arguments.Length > 1 ? call.Arguments[1] : null);
        if (argument is null)
        {
            return;
        }

        // BuiltinLosses.PpoLoss, possibly with config bound: BuiltinLosses.PpoLoss.With(…) / .WithConfig(…).
        var root = TrainingClientCalls.WithoutImplicitConversions(argument.Value);
        IInvocationOperation? binding = null;
        while (root is IInvocationOperation { TargetMethod.Name: "With" or "WithConfig", Instance: { } receiver } bound)
        {
            // The outermost With/WithConfig decides the config (each replaces what came before).
            binding ??= bound;
            root = TrainingClientCalls.WithoutImplicitConversions(receiver);
        }

        if (root is not IPropertyReferenceOperation { Property.IsStatic: true } property || !symbols.IsBuiltinType(property.Property.ContainingType))
        {
            return;
        }

        var builtin = symbols.Builtins.FirstOrDefault(entry => LossModel.PropertyNameFor(entry.Value.Name) == property.Property.Name);
        var selector = builtin.Value is null ? null : symbols.LossFn!.GetMembers(builtin.Value.Name).FirstOrDefault();
        if (selector is null)
        {
            return;
        }

        var isMethod = selector is IMethodSymbol;
        var needsArguments = selector is IMethodSymbol selectorMethod && selectorMethod.Parameters.Any(parameter => !parameter.IsOptional);
        var suggestion = Suggestion(selector, binding, builtin.Key);
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(LossFnMemberProperty, selector.Name)
            .Add(LossFnIsMethodProperty, isMethod ? "true" : "false")
            .Add(LossFnNeedsArgumentsProperty, needsArguments ? "true" : "false")
            .Add(BuiltinNameProperty, builtin.Key);
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.BuiltinThroughCustomPath,
            argument.Value.Syntax.GetLocation(),
            properties,
            argument.Value.Syntax.ToString(),
            builtin.Key,
            suggestion));
    }

    /// <summary>
    /// The <c>LossFn</c> call to use instead, keeping the caller's config: <c>.With(args)</c> becomes
    /// <c>LossFn.X(args)</c>, <c>.WithConfig(config)</c> becomes <c>LossFn.FromName("x", config)</c>.
    /// </summary>
    private static string Suggestion(ISymbol selector, IInvocationOperation? binding, string builtinName)
    {
        if (binding?.Syntax is InvocationExpressionSyntax bound)
        {
            var arguments = bound.ArgumentList.Arguments.ToString();
            return binding.TargetMethod.Name == "WithConfig"
                ? $"LossFn.FromName(\"{builtinName}\", {arguments})"
                : $"LossFn.{selector.Name}({arguments})";
        }

        return "LossFn." + selector.Name + (selector is IMethodSymbol method
            ? "(" + string.Join(", ", method.Parameters.Where(parameter => !parameter.IsOptional).Select(parameter => parameter.Name + ": …")) + ")"
            : string.Empty);
    }

    private static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        SimpleNameSyntax name => name.Identifier.ValueText,
        _ => null,
    };

    private static void CheckName(
        SyntaxNodeAnalysisContext context,
        IInvocationOperation call,
        string name,
        IReadOnlyList<DeclaredLoss> customLosses,
        LossSymbols symbols)
    {
        var custom = customLosses.Where(loss => loss.Name == name).OrderBy(loss => loss.DisplayName, StringComparer.Ordinal).FirstOrDefault();
        if (custom is not null && TrainingClientCalls.Is(TrainingClientCalls.CallTaking(call), TrainingClientCalls.BuiltinMethod))
        {
            var type = custom.Method.ContainingType;
            var propertyName = LossModel.PropertyNameFor(custom.Method.Name);
            var properties = ImmutableDictionary<string, string?>.Empty.Add(
                LossPropertyProperty,
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + propertyName);
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.CustomThroughBuiltinPath,
                call.Syntax.GetLocation(),
                properties,
                call.Syntax.ToString(),
                custom.DisplayName,
                type.Name + "." + propertyName));
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.UnknownBuiltinName,
            call.Arguments[0].Value.Syntax.GetLocation(),
            name,
            string.Join(", ", symbols.Builtins.Keys.OrderBy(builtin => builtin, StringComparer.Ordinal))));
    }
}
