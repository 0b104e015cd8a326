using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mint.Dsl.Generators.Parsing;

namespace Mint.Dsl.Analyzers;

/// <summary>A <c>[Loss]</c> method of the compilation: its name and where the name is written.</summary>
internal sealed class DeclaredLoss
{
    private DeclaredLoss(IMethodSymbol method, string name, Location nameLocation)
    {
        Method = method;
        Name = name;
        NameLocation = nameLocation;
    }

    public IMethodSymbol Method { get; }

    /// <summary>The name in <c>[Loss("…")]</c>.</summary>
    public string Name { get; }

    /// <summary>The attribute's name argument (the method's name when the attribute has none).</summary>
    public Location NameLocation { get; }

    /// <summary><c>Type.Method</c>, as messages name it.</summary>
    public string DisplayName => Method.ContainingType.Name + "." + Method.Name;

    public static DeclaredLoss? From(ISymbol symbol, LossSymbols symbols, CancellationToken cancellationToken)
    {
        if (symbols.LossAttributeOf(symbol) is not { } attribute)
        {
            return null;
        }

        var method = (IMethodSymbol)symbol;
        var location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } syntax
            ? syntax.ArgumentList.Arguments[0].Expression.GetLocation()
            : method.Locations[0];
        return new DeclaredLoss(method, LossParser.LossName(method, attribute), location);
    }

    /// <summary>
    /// Every loss declared in <paramref name="compilation"/>'s own source, found by walking its types.
    /// For checks at a call site that need the whole set; callers build it lazily, once per compilation.
    /// </summary>
    public static IReadOnlyList<DeclaredLoss> AllIn(Compilation compilation, LossSymbols symbols, CancellationToken cancellationToken)
    {
        var losses = new List<DeclaredLoss>();
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var member in pending.Pop().GetMembers())
            {
                if (member is INamespaceOrTypeSymbol container)
                {
                    pending.Push(container);
                }
                else if (member.Kind == SymbolKind.Method && From(member, symbols, cancellationToken) is { } loss)
                {
                    losses.Add(loss);
                }
            }
        }

        return losses;
    }
}
