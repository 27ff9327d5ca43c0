using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using BpfSharp.Btf;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Run;

/// <summary>Prints event records: a timestamped line of decoded fields, or one JSON object per line.</summary>
internal sealed class RecordPrinter(BpfObject obj, EventTypes types, bool json, Lock outputLock, Action<string> status)
{
    private readonly Dictionary<BtfSpec, BtfValueFormatter> _formatters = [];
    private readonly Dictionary<string, SortedSet<int>> _undecodedSizes = [];
    private readonly bool _severalMaps = obj.Maps.Values.Count(m => m.Type is BpfMapType.RingBuf or BpfMapType.PerfEventArray) > 1;
    private readonly Stream _stdout = Console.OpenStandardOutput();

    /// <summary>Records that no struct could be chosen for, printed in hex.</summary>
    public int Undecoded { get; private set; }

    public void Print(string map, ReadOnlySpan<byte> record, bool padded)
    {
        var type = types.For(map, record.Length, padded);
        var formatter = type is null ? null : FormatterFor(type.Spec);
        var trailing = type is null ? null : TrailingStrings.Find(type, record, formatter!);
        // A record shorter than its struct is the part the program filled: decoded as sent, the buffer it stops in
        // up to where it stops, and the members after it (never sent) left out.
        if (type is null) NoteUndecoded(map, record.Length);
        lock (outputLock)
        {
            if (json)
            {
                using (var w = JsonOutput.CreateLineWriter(_stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("time", DateTime.Now.ToString("O"));
                    w.WriteString("map", map);
                    if (type is not null)
                    {
                        w.WriteString("type", type.Name);
                        w.WritePropertyName("event");
                        if (trailing is { } t) WriteWithStrings(w, formatter!, type.Id, record, t.Member, t.Strings);
                        else formatter!.WriteJson(w, type.Id, record);
                    }
                    else
                    {
                        w.WriteString("data", Convert.ToHexStringLower(record));
                    }
                    w.WriteEndObject();
                }
                _stdout.Write("\n"u8);
                _stdout.Flush();
                return;
            }
            string fields = type is null ? Convert.ToHexStringLower(record)
                : trailing is { } cut ? TextWithStrings(formatter!.FormatText(type.Id, record, braces: false), cut.Member, cut.Strings)
                : formatter!.FormatText(type.Id, record, braces: false);
            Console.Out.WriteLine(_severalMaps ? $"{DateTime.Now:HH:mm:ss.fff} {map}: {fields}" : $"{DateTime.Now:HH:mm:ss.fff} {fields}");
        }
    }

    /// <summary>The record as JSON with its cut last buffer as an array of its strings.</summary>
    private static void WriteWithStrings(Utf8JsonWriter w, BtfValueFormatter formatter, int typeId, ReadOnlySpan<byte> record, string member, List<string> strings)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var inner = new Utf8JsonWriter(buffer)) formatter.WriteJson(inner, typeId, record);
        var node = JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
        node[member] = new JsonArray([.. strings.Select(s => (JsonNode?)JsonValue.Create(s))]);
        node.WriteTo(w);
    }

    /// <summary>The record as text with its cut last buffer (printed last) as its strings: <c>args=["a" "b"]</c>.</summary>
    private static string TextWithStrings(string text, string member, List<string> strings)
    {
        int at = text.StartsWith(member + "=", StringComparison.Ordinal) ? 0 : text.LastIndexOf(" " + member + "=", StringComparison.Ordinal);
        if (at < 0) return text;
        if (at > 0) at++;
        return $"{text[..at]}{member}=[{string.Join(' ', strings.Select(s => $"\"{JsonEncodedText.Encode(s)}\""))}]";
    }

    /// <summary>Once per map and record size: why the record is hex and how to give its layout.</summary>
    private void NoteUndecoded(string map, int length)
    {
        Undecoded++;
        if (!_undecodedSizes.TryGetValue(map, out var sizes)) _undecodedSizes[map] = sizes = [];
        if (sizes.Add(length))
            status($"records of {map} ({length} bytes) are shown in hex ({types.Describe(map)}); give the layout with --event-type NAME --types FILE.h, or inline: --types 'struct NAME {{ ... }};'");
    }

    private BtfValueFormatter FormatterFor(BtfSpec spec)
    {
        if (!_formatters.TryGetValue(spec, out var f)) _formatters[spec] = f = new BtfValueFormatter(spec);
        return f;
    }
}
