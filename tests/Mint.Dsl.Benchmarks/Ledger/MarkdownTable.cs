using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Mint.Dsl.Benchmarks.Ledger;

/// <summary>A Markdown table built row by row.</summary>
public sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    /// <summary>Adds a row; cells are already formatted.</summary>
    public MarkdownTable Row(params string[] cells)
    {
        rows.Add(cells);
        return this;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        text.Append("|").Append(string.Concat(headers.Select(_ => "---|"))).Append('\n');
        foreach (var row in rows)
        {
            text.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        }

        return text.ToString();
    }
}
