using System.Text;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// bpftool's json_writer, for output equal to bpftool's byte for byte: no space after ':' or ',' unless pretty, four
/// spaces per level when pretty, and its string escaping (which writes a backslash as <c>\n</c>).
/// </summary>
internal sealed class BpftoolJsonWriter(bool pretty)
{
    private readonly StringBuilder _out = new();
    private int _depth;
    private char _separator;

    public void StartArray() => Begin('[');

    public void EndArray() => End(']');

    public void StartObject() => Begin('{');

    public void EndObject() => End('}');

    public void Name(string name)
    {
        EndOfRecord();
        EndOfLine();
        _separator = '\0';
        Quote(name);
        _out.Append(':');
        if (pretty) _out.Append(' ');
    }

    /// <summary>A value written as is (bpftool's jsonw_printf).</summary>
    public void Raw(string value)
    {
        EndOfRecord();
        _out.Append(value);
    }

    /// <summary>Text in quotes without escaping (bpftool's jsonw_vprintf_enquote, which the disassembly goes through).</summary>
    public void Enquoted(string value) => Raw('"' + value + '"');

    public void String(string value)
    {
        EndOfRecord();
        Quote(value);
    }

    public void StringField(string name, string value)
    {
        Name(name);
        String(value);
    }

    public void IntField(string name, long value)
    {
        Name(name);
        Raw(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The document with the newline bpftool ends it with.</summary>
    public override string ToString() => _out + "\n";

    private void Begin(char c)
    {
        EndOfRecord();
        _out.Append(c);
        _depth++;
        _separator = '\0';
    }

    private void End(char c)
    {
        _depth--;
        if (_separator != '\0') EndOfLine();
        _out.Append(c);
        _separator = ',';
    }

    private void EndOfRecord()
    {
        if (_separator != '\0') _out.Append(_separator);
        _separator = ',';
    }

    private void EndOfLine()
    {
        if (!pretty) return;
        _out.Append('\n');
        for (int i = 0; i < _depth; i++) _out.Append("    ");
    }

    private void Quote(string s)
    {
        _out.Append('"');
        foreach (char c in s)
        {
            _out.Append(c switch
            {
                '\t' => "\\t",
                '\n' or '\\' => "\\n",
                '\r' => "\\r",
                '\f' => "\\f",
                '\b' => "\\b",
                '"' => "\\\"",
                _ => c.ToString(),
            });
        }
        _out.Append('"');
    }
}
