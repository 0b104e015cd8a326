using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Mint.Dsl.Analyzers;

/// <summary>
/// Where to squiggle a call: from the member name to the closing parenthesis (<c>item&lt;float&gt;()</c>
/// in <c>x.sum().item&lt;float&gt;()</c>), so a long receiver chain stays unmarked.
/// </summary>
internal static class CallSpan
{
    public static Location Of(SyntaxNode node)
    {
        if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } invocation)
        {
            return Location.Create(node.SyntaxTree, TextSpan.FromBounds(member.Name.SpanStart, invocation.Span.End));
        }

        return node.GetLocation();
    }

    /// <summary>The source text of <paramref name="location"/>, as messages quote it.</summary>
    public static string Text(Location location) =>
        location.SourceTree?.GetText().ToString(location.SourceSpan) ?? string.Empty;
}
