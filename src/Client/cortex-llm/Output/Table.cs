namespace Cortex.Llm.Cli.Output;

/// <summary>
/// A plain aligned table: every column starts at the same offset on every line, two spaces apart,
/// so the output stays readable in a terminal and easy to cut with awk.
/// </summary>
internal sealed class Table
{
    private const string Gap = "  ";

    private readonly string[] _headers;
    private readonly bool[] _alignRight;
    private readonly List<string[]> _rows = [];

    public Table(params string[] headers)
    {
        _headers = headers;
        _alignRight = new bool[headers.Length];
    }

    public int RowCount => _rows.Count;

    /// <summary>Right-aligns the given columns (numbers read better that way).</summary>
    public Table AlignRight(params int[] columns)
    {
        foreach (int column in columns)
        {
            _alignRight[column] = true;
        }

        return this;
    }

    public void AddRow(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Row has {cells.Length} cells; the table has {_headers.Length} columns.", nameof(cells));
        }

        // A line break inside a cell would shift every later column.
        _rows.Add(cells.Select(c => c.ReplaceLineEndings(" ")).ToArray());
    }

    public void Write(TextWriter writer)
    {
        int[] widths = new int[_headers.Length];
        foreach (string[] row in _rows.Prepend(_headers))
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in _rows.Prepend(_headers))
        {
            writer.WriteLine(FormatLine(row, widths));
        }
    }

    private string FormatLine(string[] row, int[] widths)
    {
        var parts = new string[row.Length];
        for (int i = 0; i < row.Length; i++)
        {
            parts[i] = _alignRight[i] ? row[i].PadLeft(widths[i]) : row[i].PadRight(widths[i]);
        }

        return string.Join(Gap, parts).TrimEnd();
    }
}
