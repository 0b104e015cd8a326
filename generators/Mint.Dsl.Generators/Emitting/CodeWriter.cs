using System.Text;

namespace Mint.Dsl.Generators.Emitting;

/// <summary>Indented text with braces, four spaces a level, <c>\n</c> line endings on every platform.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder text = new();
    private int depth;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            text.Append(' ', depth * 4).Append(line);
        }

        text.Append('\n');
    }

    public void Open()
    {
        Line("{");
        depth++;
    }

    public void Close()
    {
        depth--;
        Line("}");
    }

    public override string ToString() => text.ToString();
}
