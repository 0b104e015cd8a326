using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers;

/// <summary>
/// The Mint.Dsl and TorchSharp types the analyzers look for, resolved once per compilation. Null when
/// the compilation does not reference Mint.Dsl, in which case the analyzers register nothing.
/// </summary>
internal sealed class LossSymbols
{
    private readonly Lazy<ImmutableDictionary<string, IMethodSymbol>> builtins;

    private LossSymbols(Compilation compilation, INamedTypeSymbol lossAttribute)
    {
        LossAttribute = lossAttribute;
        Tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
        Torch = compilation.GetTypeByMetadataName("TorchSharp.torch");
        LossResult = compilation.GetTypeByMetadataName("Mint.Dsl.LossResult");
        LossDefinition = compilation.GetTypeByMetadataName("Mint.Dsl.LossDefinition");
        LossFn = compilation.GetTypeByMetadataName("Mint.Dsl.LossFn");
        BuiltinLosses = compilation.GetTypeByMetadataName("Mint.Dsl.BuiltinLosses");
        builtins = new(ReadBuiltins);
    }

    public INamedTypeSymbol LossAttribute { get; }

    public INamedTypeSymbol? Tensor { get; }

    /// <summary>The static class <c>TorchSharp.torch</c> (<c>no_grad()</c> and friends).</summary>
    public INamedTypeSymbol? Torch { get; }

    public INamedTypeSymbol? LossResult { get; }

    public INamedTypeSymbol? LossDefinition { get; }

    public INamedTypeSymbol? LossFn { get; }

    /// <summary>The type that holds the built-in losses; its losses are the built-ins, nothing else is.</summary>
    public INamedTypeSymbol? BuiltinLosses { get; }

    /// <summary>The built-in losses by name, read from the <c>[Loss]</c> methods of <c>BuiltinLosses</c>.</summary>
    public ImmutableDictionary<string, IMethodSymbol> Builtins => builtins.Value;

    public static LossSymbols? From(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Mint.Dsl.LossAttribute") is { } attribute
            ? new LossSymbols(compilation, attribute)
            : null;

    /// <summary>The method's <c>[Loss]</c> attribute, or null when it is not a loss.</summary>
    public AttributeData? LossAttributeOf(ISymbol symbol) => symbol is IMethodSymbol { MethodKind: MethodKind.Ordinary } method
        ? method.GetAttributes().FirstOrDefault(attribute => SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, LossAttribute))
        : null;

    public bool IsTensor(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, Tensor);

    public bool IsBuiltinType(ISymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, BuiltinLosses);

    private ImmutableDictionary<string, IMethodSymbol> ReadBuiltins()
    {
        var result = new Dictionary<string, IMethodSymbol>(StringComparer.Ordinal);
        foreach (var member in BuiltinLosses?.GetMembers() ?? ImmutableArray<ISymbol>.Empty)
        {
            if (member is IMethodSymbol method && LossAttributeOf(method) is { } attribute)
            {
                result[LossParser.LossName(method, attribute)] = method;
            }
        }

        return result.ToImmutableDictionary(StringComparer.Ordinal);
    }
}
