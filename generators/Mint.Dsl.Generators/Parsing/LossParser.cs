using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Model;

namespace Mint.Dsl.Generators.Parsing;

/// <summary>
/// Turns a <c>[Loss]</c> method into a <see cref="LossModel"/> and the diagnostics found on the way.
/// The only stage that reads symbols; everything after it works on plain values.
/// </summary>
internal static partial class LossParser
{
    private const string TensorMetadataName = "TorchSharp.torch+Tensor";
    private const string PairMetadataName = "Mint.Dsl.Pair`1";
    private const string LossResultMetadataName = "Mint.Dsl.LossResult";
    private const string LossInputAttributeName = "Mint.Dsl.LossInputAttribute";
    private const string LossConfigAttributeName = "Mint.Dsl.LossConfigAttribute";
    private const string TargetLogprobsAttributeName = "Mint.Dsl.TargetLogprobsAttribute";
    private const string TargetTokensKey = "target_tokens";

    private static readonly string[] DTypeNames = ["Float32", "Int64", "Float64"];

    /// <summary><c>Mint.Dsl.InputRank</c>'s members by value.</summary>
    private static readonly string[] RankNames = ["PerDatum", "PerToken", "KPerToken"];

    /// <summary>The generator's entry: the model, or null when the signature has a problem (the analyzers report it).</summary>
    public static LossModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) => Parse(
        (IMethodSymbol)context.TargetSymbol,
        (MethodDeclarationSyntax)context.TargetNode,
        context.Attributes[0],
        context.SemanticModel.Compilation,
        new List<Diagnostic>(),
        cancellationToken);

    /// <summary>
    /// Reads <paramref name="method"/>'s signature into a model, adding a diagnostic to
    /// <paramref name="diagnostics"/> for every rule it breaks; returns null when it breaks any.
    /// </summary>
    public static LossModel? Parse(
        IMethodSymbol method,
        MethodDeclarationSyntax syntax,
        AttributeData lossAttribute,
        Compilation compilation,
        List<Diagnostic> diagnostics,
        CancellationToken cancellationToken)
    {
        var before = diagnostics.Count;
        CheckShape(method, syntax, compilation, diagnostics);
        var containingTypes = ReadContainingTypes(method, syntax, diagnostics);
        var parameters = ReadParameters(method, syntax, compilation, diagnostics, cancellationToken);
        var orders = parameters is null ? null : ReadConfigOrders(method, parameters, diagnostics);

        return diagnostics.Count > before || containingTypes is null || parameters is null || orders is null
            ? null
            : new LossModel(
                method.ContainingNamespace.IsGlobalNamespace ? string.Empty : method.ContainingNamespace.ToDisplayString(),
                containingTypes.ToEquatableArray(),
                method.Name,
                LossName(method, lossAttribute),
                parameters.ToEquatableArray())
            {
                ConfigOrders = orders.ToEquatableArray(),
            };
    }

    /// <summary>The name in <c>[Loss("…")]</c>, or the method's name when the attribute gives none.</summary>
    public static string LossName(IMethodSymbol method, AttributeData lossAttribute) =>
        lossAttribute.ConstructorArguments.FirstOrDefault().Value as string ?? method.Name;

    /// <summary>True for the parameter that receives the model's target log-probs (by attribute or by name).</summary>
    public static bool IsTargetLogprobs(IParameterSymbol parameter) =>
        FindAttribute(parameter, TargetLogprobsAttributeName) is not null
        || (FindAttribute(parameter, LossInputAttributeName) is null && parameter.Name is "logprobs" or "targetLogprobs");

    private static void CheckShape(IMethodSymbol method, MethodDeclarationSyntax syntax, Compilation compilation, List<Diagnostic> diagnostics)
    {
        var name = syntax.Identifier.GetLocation();
        if (!method.IsStatic)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.LossMethodMustBeStatic, name, method.Name));
        }

        if (method.IsGenericMethod)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.LossMethodMustNotBeGenericOrAsync, name, method.Name, "generic", "type parameters"));
        }

        if (method.IsAsync)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.LossMethodMustNotBeGenericOrAsync, name, method.Name, "async", "'async' modifier"));
        }

        var lossResult = compilation.GetTypeByMetadataName(LossResultMetadataName);
        if (!SymbolEqualityComparer.Default.Equals(method.ReturnType, lossResult))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, method.ReturnType.ToDisplayString()));
        }
    }

    private static List<ContainingType>? ReadContainingTypes(IMethodSymbol method, MethodDeclarationSyntax syntax, List<Diagnostic> diagnostics)
    {
        var types = new List<ContainingType>();
        var allPartial = true;
        for (var node = syntax.Parent as TypeDeclarationSyntax; node is not null; node = node.Parent as TypeDeclarationSyntax)
        {
            if (!node.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                // Every enclosing type needs it; report each, so one fix-all settles them.
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ContainingTypeMustBePartial, node.Identifier.GetLocation(), node.Identifier.Text, method.Name));
                allPartial = false;
                continue;
            }

            var keyword = node switch
            {
                RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
                RecordDeclarationSyntax => "record",
                _ => node.Keyword.Text,
            };
            var isStatic = node.Modifiers.Any(SyntaxKind.StaticKeyword);
            types.Insert(0, new ContainingType(isStatic ? "static partial " + keyword : "partial " + keyword, node.Identifier.Text));
        }

        return allPartial ? types : null;
    }

    private static List<LossParameter>? ReadParameters(
        IMethodSymbol method,
        MethodDeclarationSyntax syntax,
        Compilation compilation,
        List<Diagnostic> diagnostics,
        CancellationToken cancellationToken)
    {
        var tensor = compilation.GetTypeByMetadataName(TensorMetadataName);
        var pair = compilation.GetTypeByMetadataName(PairMetadataName);
        var parameters = new List<LossParameter>();
        var valid = true;
        for (var index = 0; index < method.Parameters.Length; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var parameter = method.Parameters[index];
            var location = syntax.ParameterList.Parameters[index].GetLocation();
            if (parameter.RefKind != RefKind.None)
            {
                var modifier = parameter.RefKind.ToString().ToLowerInvariant();
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ParameterMustBeByValue, location, parameter.Name, method.Name, modifier));
                valid = false;
                continue;
            }

            var read = ReadParameter(parameter, tensor, pair);
            if (read is null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UnsupportedParameterType, location, parameter.Name, method.Name, parameter.Type.ToDisplayString()));
                valid = false;
                continue;
            }

            read = WithRange(method, parameter, location, read, diagnostics);
            if (read is null)
            {
                valid = false;
                continue;
            }

            parameters.Add(read);
        }

        if (!valid)
        {
            return null;
        }

        return CheckBindings(method, syntax, parameters, diagnostics) ? parameters : null;
    }

    private static LossParameter? ReadParameter(IParameterSymbol parameter, INamedTypeSymbol? tensor, INamedTypeSymbol? pair)
    {
        var type = parameter.Type;
        var isPair = type is INamedTypeSymbol { IsGenericType: true } named
            && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, pair)
            && SymbolEqualityComparer.Default.Equals(named.TypeArguments[0], tensor);
        if (isPair || SymbolEqualityComparer.Default.Equals(type, tensor))
        {
            if (IsTargetLogprobs(parameter))
            {
                return new LossParameter(parameter.Name, ParameterRole.TargetLogprobs, string.Empty, isPair, string.Empty, string.Empty, null)
                {
                    Rank = DeclaredRank(FindAttribute(parameter, TargetLogprobsAttributeName)) ?? "PerToken",
                };
            }

            var input = FindAttribute(parameter, LossInputAttributeName);
            var key = input?.ConstructorArguments.FirstOrDefault().Value as string ?? SnakeCase.From(parameter.Name);
            var dtype = key == TargetTokensKey ? "Int64" : "Float32";
            foreach (var argument in input?.NamedArguments ?? [])
            {
                if (argument.Key == "DType" && argument.Value.Value is int value && value >= 0 && value < DTypeNames.Length)
                {
                    dtype = DTypeNames[value];
                }
            }

            // target_tokens follows the log-probs' rank unless declared (CheckRanks refuses a mismatch).
            var rank = DeclaredRank(input) ?? (key == TargetTokensKey ? null : "PerToken");
            return new LossParameter(parameter.Name, ParameterRole.Input, key, isPair, dtype, string.Empty, null) { Rank = rank ?? string.Empty };
        }

        var clrType = type.SpecialType switch
        {
            SpecialType.System_Double => "double",
            SpecialType.System_Single => "float",
            SpecialType.System_Int32 => "int",
            SpecialType.System_Int64 => "long",
            SpecialType.System_Boolean => "bool",
            _ => null,
        };
        if (clrType is null)
        {
            return null;
        }

        var configKey = FindAttribute(parameter, LossConfigAttributeName)?.ConstructorArguments.FirstOrDefault().Value as string
            ?? SnakeCase.From(parameter.Name);
        return new LossParameter(parameter.Name, ParameterRole.Config, configKey, false, string.Empty, clrType, DefaultLiteral(parameter));
    }

    private static bool CheckBindings(IMethodSymbol method, MethodDeclarationSyntax syntax, List<LossParameter> parameters, List<Diagnostic> diagnostics)
    {
        var logprobs = parameters.Count(parameter => parameter.Role == ParameterRole.TargetLogprobs);
        if (logprobs != 1)
        {
            var problem = logprobs == 0 ? "has no target log-probs parameter" : $"has {logprobs} target log-probs parameters";
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MissingTargetLogprobs, syntax.Identifier.GetLocation(), method.Name, problem));
            return false;
        }

        var valid = CheckRanks(method, syntax, parameters, diagnostics);
        if (parameters.Any(parameter => parameter.IsPair))
        {
            for (var index = 0; index < parameters.Count; index++)
            {
                if (parameters[index].Role != ParameterRole.Config && !parameters[index].IsPair)
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MixedPairParameters, syntax.ParameterList.Parameters[index].GetLocation(), parameters[index].Name, method.Name));
                    valid = false;
                }
            }
        }

        foreach (var duplicate in parameters.Where(parameter => parameter.Role != ParameterRole.TargetLogprobs)
                     .GroupBy(parameter => parameter.Key).Where(group => group.Count() > 1))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DuplicateKey, syntax.Identifier.GetLocation(), method.Name, duplicate.Key));
            valid = false;
        }

        return valid;
    }

    /// <summary>
    /// The rank <paramref name="parameter"/> of loss <paramref name="method"/> declares (<c>PerDatum</c>,
    /// <c>PerToken</c> or <c>KPerToken</c>); <c>target_tokens</c> without a declared rank has the log-probs'.
    /// </summary>
    public static string RankOf(IMethodSymbol method, IParameterSymbol parameter)
    {
        if (IsTargetLogprobs(parameter))
        {
            return DeclaredRank(FindAttribute(parameter, TargetLogprobsAttributeName)) ?? "PerToken";
        }

        var input = FindAttribute(parameter, LossInputAttributeName);
        if (DeclaredRank(input) is { } declared)
        {
            return declared;
        }

        var key = input?.ConstructorArguments.FirstOrDefault().Value as string ?? SnakeCase.From(parameter.Name);
        var logprobs = method.Parameters.FirstOrDefault(IsTargetLogprobs);
        return key == TargetTokensKey && logprobs is not null ? RankOf(method, logprobs) : "PerToken";
    }

    /// <summary>
    /// MINT041: log-probs are per token or K per token; K-per-token inputs need multi-target log-probs;
    /// <c>target_tokens</c> has the log-probs' rank (filled in here when it is not declared).
    /// </summary>
    private static bool CheckRanks(IMethodSymbol method, MethodDeclarationSyntax syntax, List<LossParameter> parameters, List<Diagnostic> diagnostics)
    {
        var valid = true;
        var logprobsRank = parameters.First(parameter => parameter.Role == ParameterRole.TargetLogprobs).Rank;
        for (var index = 0; index < parameters.Count; index++)
        {
            var parameter = parameters[index];
            string? problem = null;
            if (parameter.Role == ParameterRole.TargetLogprobs && parameter.Rank == "PerDatum")
            {
                problem = "declares log-probs per datum; the model gives one log-prob per target token, so declare InputRank.PerToken (the default) or InputRank.KPerToken";
            }
            else if (parameter.Role == ParameterRole.Input && parameter.Key == TargetTokensKey && parameter.Rank.Length == 0)
            {
                parameters[index] = parameter with { Rank = logprobsRank };
            }
            else if (parameter.Role == ParameterRole.Input && parameter.Key == TargetTokensKey && parameter.Rank != logprobsRank)
            {
                problem = $"declares '{TargetTokensKey}' as InputRank.{parameter.Rank} but the log-probs are InputRank.{logprobsRank}; the engine computes one log-prob per target, so remove the Rank or make the two agree";
            }
            else if (parameter.Role == ParameterRole.Input && parameter.Rank == "KPerToken" && logprobsRank != "KPerToken")
            {
                problem = "is K per token, but the log-probs are not: K is the number of candidate targets per position, so declare the log-probs [TargetLogprobs(Rank = InputRank.KPerToken)] or give this input one value per token";
            }

            if (problem is not null)
            {
                var location = syntax.ParameterList.Parameters[method.Parameters.IndexOf(method.Parameters.First(symbol => symbol.Name == parameter.Name))].GetLocation();
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidInputRank, location, parameter.Name, method.Name, problem));
                valid = false;
            }
        }

        return valid;
    }

    /// <summary>The <c>Rank</c> named argument of <paramref name="attribute"/>, or null when it sets none.</summary>
    private static string? DeclaredRank(AttributeData? attribute)
    {
        foreach (var argument in attribute?.NamedArguments ?? [])
        {
            if (argument.Key == "Rank" && argument.Value.Value is int value && value >= 0 && value < RankNames.Length)
            {
                return RankNames[value];
            }
        }

        return null;
    }

    private static AttributeData? FindAttribute(IParameterSymbol parameter, string metadataName) =>
        parameter.GetAttributes().FirstOrDefault(attribute => attribute.AttributeClass?.ToDisplayString() == metadataName);

    private static string? DefaultLiteral(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return null;
        }

        return parameter.ExplicitDefaultValue switch
        {
            bool flag => flag ? "1" : "0",
            double number => number.ToString("R", CultureInfo.InvariantCulture),
            float number => ((double)number).ToString("R", CultureInfo.InvariantCulture),
            int number => number.ToString(CultureInfo.InvariantCulture),
            long number => number.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
    }
}
