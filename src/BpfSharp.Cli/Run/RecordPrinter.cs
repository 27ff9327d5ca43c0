using BpfSharp.Btf;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Run;

/// <summary>Prints event records: a timestamped line of decoded fields, or one JSON object per line.</summary>
internal sealed class RecordPrinter(BpfObject obj, EventTypes types, bool json, Lock outputLock)
{
    private readonly BtfValueFormatter? _formatter = obj.Btf is { } btf ? new BtfValueFormatter(btf) : null;
    private readonly bool _severalMaps = obj.Maps.Values.Count(m => m.Type is BpfMapType.RingBuf or BpfMapType.PerfEventArray) > 1;
    private readonly Stream _stdout = Console.OpenStandardOutput();

    /// <summary>Records that no struct could be chosen for, printed in hex.</summary>
    public int Undecoded { get; private set; }

    public void Print(string map, ReadOnlySpan<byte> record, bool padded)
    {
        var type = _formatter is null ? null : types.For(record.Length, padded);
        if (type is null) Undecoded++;
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
                        _formatter!.WriteJson(w, type.Id, record);
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
            string fields = type is not null ? _formatter!.FormatText(type.Id, record, braces: false) : Convert.ToHexStringLower(record);
            Console.Out.WriteLine(_severalMaps ? $"{DateTime.Now:HH:mm:ss.fff} {map}: {fields}" : $"{DateTime.Now:HH:mm:ss.fff} {fields}");
        }
    }
}
