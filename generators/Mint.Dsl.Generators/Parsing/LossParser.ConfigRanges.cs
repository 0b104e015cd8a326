using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Generators.Model;

namespace Mint.Dsl.Generators.Parsing;

/// <summary>
/// Config ranges and relations: <c>[LossConfig(Min = …, Max = …)]</c> on config parameters and
/// <c>[LossConfigOrder(nameof(a), nameof(b))]</c> on the method, read into the model so the emitted
/// contract carries them. A declaration that cannot hold is MINT030.
/// </summary>
internal static partial class LossParser
{
    private const string LossConfigOrderAttributeName = "Mint.Dsl.LossConfigOrderAttribute";

    /// <summary>The parameter with its declared range, or null (and MINT030) when the range cannot hold.</summary>
    private static LossParameter? WithRange(
        IMethodSymbol method, IParameterSymbol symbol, Location location, LossParameter parameter, List<Diagnostic> diagnostics)
    {
        if (parameter.Role != ParameterRole.Config || FindAttribute(symbol, LossConfigAttributeName) is not { } attribute)
        {
            return parameter;
        }

        double? min = null, max = null;
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Value.Value is double value && argument.Key is "Min" or "Max")
            {
                if (argument.Key == "Min")
                {
                    min = value;
                }
                else
                {
                    max = value;
                }
            }
        }

        string? problem = null;
        if (min is double low && double.IsNaN(low) || max is double high && double.IsNaN(high))
        {
            problem = "a bound is NaN";
        }
        else if (min > max)
        {
            problem = $"Min ({Format(min!.Value)}) is above Max ({Format(max!.Value)})";
        }
        else if (parameter.DefaultLiteral is { } literal
            && double.Parse(literal, CultureInfo.InvariantCulture) is var defaultValue
            && (defaultValue < min || defaultValue > max))
        {
            problem = $"its default {literal} is outside [{Format(min ?? double.NegativeInfinity)}, {Format(max ?? double.PositiveInfinity)}]";
        }

        if (problem is not null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidConfigRange, location, method.Name, $"config '{parameter.Name}': {problem}"));
            return null;
        }

        return parameter with
        {
            MinLiteral = min is double minimum && !double.IsNegativeInfinity(minimum) ? Format(minimum) : null,
            MaxLiteral = max is double maximum && !double.IsPositiveInfinity(maximum) ? Format(maximum) : null,
        };
    }

    /// <summary>The method's <c>[LossConfigOrder]</c> declarations as config keys, or null (and MINT030) when one cannot hold.</summary>
    private static List<ConfigOrder>? ReadConfigOrders(IMethodSymbol method, List<LossParameter> parameters, List<Diagnostic> diagnostics)
    {
        var orders = new List<ConfigOrder>();
        var valid = true;
        foreach (var attribute in method.GetAttributes().Where(attribute => attribute.AttributeClass?.ToDisplayString() == LossConfigOrderAttributeName))
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? Location.None;
            var names = attribute.ConstructorArguments.FirstOrDefault() is { Kind: TypedConstantKind.Array } array
                ? array.Values.Select(value => value.Value as string).ToList()
                : [];
            var keys = names.Select(name => parameters.FirstOrDefault(parameter => parameter.Role == ParameterRole.Config && parameter.Name == name)).ToList();
            var missing = keys.FindIndex(parameter => parameter is null);
            string? problem = null;
            if (names.Count < 2)
            {
                problem = "[LossConfigOrder] needs at least two config parameters";
            }
            else if (missing >= 0)
            {
                problem = $"[LossConfigOrder] names '{names[missing]}', which is not a config parameter of the method";
            }
            else if (DefaultsOutOfOrder(keys!) is { } broken)
            {
                problem = $"the defaults break [LossConfigOrder]: {broken}";
            }

            if (problem is not null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidConfigRange, location, method.Name, problem));
                valid = false;
                continue;
            }

            orders.Add(new ConfigOrder(keys.Select(parameter => parameter!.Key).ToEquatableArray()));
        }

        return valid ? orders : null;
    }

    private static string? DefaultsOutOfOrder(List<LossParameter> ordered)
    {
        for (var index = 0; index + 1 < ordered.Count; index++)
        {
            if (ordered[index].DefaultLiteral is { } low && ordered[index + 1].DefaultLiteral is { } high
                && double.Parse(low, CultureInfo.InvariantCulture) > double.Parse(high, CultureInfo.InvariantCulture))
            {
                return $"{ordered[index].Name} = {low} is above {ordered[index + 1].Name} = {high}";
            }
        }

        return null;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
