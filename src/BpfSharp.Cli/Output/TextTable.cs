namespace BpfSharp.Cli.Output;

/// <summary>A table printed with its columns aligned; numeric columns are right-aligned.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly bool[] _rightAligned = new bool[headers.Length];

    /// <summary>Marks columns (by header) whose values line up on the right, like numbers.</summary>
    public TextTable RightAlign(params string[] columns)
    {
        foreach (var c in columns) _rightAligned[Array.IndexOf(headers, c)] = true;
        return this;
    }

    public void Add(params object?[] cells) => _rows.Add(cells.Select(c => c?.ToString() ?? "").ToArray());

    public int Count => _rows.Count;

    public void Write(TextWriter output)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in _rows)
            for (int i = 0; i < row.Length && i < widths.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        WriteRow(output, headers, widths);
        foreach (var row in _rows) WriteRow(output, row, widths);
    }

    private void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var parts = new string[cells.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            bool last = i == cells.Length - 1;
            parts[i] = _rightAligned[i] ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]);
        }
        output.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
