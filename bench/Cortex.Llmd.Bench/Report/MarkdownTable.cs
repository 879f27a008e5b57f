using System.Text;

namespace Cortex.Llmd.Bench.Report;

/// <summary>A GitHub-flavoured Markdown table.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable Row(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public void WriteTo(StringBuilder text)
    {
        text.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        text.Append('|').AppendJoin('|', headers.Select(_ => "---")).AppendLine("|");
        foreach (string[] row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
        }

        text.AppendLine();
    }
}
