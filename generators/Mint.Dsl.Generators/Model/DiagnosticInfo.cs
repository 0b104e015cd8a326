using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Mint.Dsl.Generators.Model;

/// <summary>A diagnostic held as plain values so it can travel through the incremental pipeline.</summary>
internal sealed record DiagnosticInfo(
    string Id,
    string FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan,
    EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        var lineSpan = location.GetLineSpan();
        return new(descriptor.Id, lineSpan.Path, location.SourceSpan, lineSpan.Span, arguments.ToEquatableArray());
    }

    public Diagnostic ToDiagnostic()
    {
        var location = Location.Create(FilePath, Span, LineSpan);
        var arguments = new object[Arguments.Count];
        for (var index = 0; index < arguments.Length; index++)
        {
            arguments[index] = Arguments[index];
        }

        return Diagnostic.Create(Diagnostics.DiagnosticDescriptors.ById(Id), location, arguments);
    }
}
