using System.Text.Json;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Output;

/// <summary>
/// A map's keys and values decoded through the map's BTF when it has key/value types, else shown as hex bytes.
/// Per-CPU values are split into one value per possible CPU.
/// </summary>
internal sealed class MapEntryFormatter
{
    private readonly BtfValueFormatter? _btf;
    private readonly int _keyType, _valueType, _valueSize, _stride;

    public MapEntryFormatter(BpfMap map, BpfMapInfo info, BtfSpec? btf = null, int keyType = -1, int valueType = -1)
    {
        IsPerCpu = map.IsPerCpu;
        _valueSize = info.ValueSize;
        _stride = (info.ValueSize + 7) & ~7;
        if (btf is null && info.BtfId != 0)
        {
            try { btf = BtfSpec.LoadFromKernelId(info.BtfId); }
            catch (BpfException) { /* the BTF went away or cannot be read: hex it is */ }
        }
        if (btf is not null)
        {
            _btf = new BtfValueFormatter(btf);
            _keyType = keyType >= 0 ? keyType : (int)info.BtfKeyTypeId;
            _valueType = valueType >= 0 ? valueType : (int)info.BtfValueTypeId;
        }
    }

    public bool IsPerCpu { get; }

    /// <summary>The map's keys and values; per-CPU values come as one buffer of every CPU's value.</summary>
    public static IEnumerable<(byte[] Key, byte[] Value)> ReadEntries(BpfMap map)
    {
        var value = new byte[map.ValueBufferSize];
        foreach (var key in map.GetKeys())
        {
            if (!map.TryLookup(key, value)) continue; // deleted since listed
            yield return (key, (byte[])value.Clone());
        }
    }

    public IEnumerable<ReadOnlyMemory<byte>> PerCpuValues(byte[] value)
    {
        if (!IsPerCpu) { yield return value; yield break; }
        for (int off = 0; off + _valueSize <= value.Length; off += _stride) yield return value.AsMemory(off, _valueSize);
    }

    /// <summary>A key without BTF of an integer's size reads as that (little-endian) integer: array indices, ids.</summary>
    public string KeyText(ReadOnlySpan<byte> key) => (_btf is null || _keyType <= 0) && key.Length is 1 or 2 or 4 or 8
        ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian([.. key, .. new byte[8 - key.Length]]).ToString()
        : Text(_keyType, key);

    public string ValueText(ReadOnlySpan<byte> value) => Text(_valueType, value);

    public void WriteKey(Utf8JsonWriter w, ReadOnlySpan<byte> key) => Json(w, _keyType, key);

    public void WriteValue(Utf8JsonWriter w, ReadOnlySpan<byte> value) => Json(w, _valueType, value);

    /// <summary>The entry as one JSON object: key, then value (or values per CPU), then what <paramref name="more"/> adds.</summary>
    public void WriteEntry(Utf8JsonWriter w, byte[] key, byte[] value, Action<Utf8JsonWriter>? more = null)
    {
        w.WriteStartObject();
        if (key.Length > 0)
        {
            w.WritePropertyName("key");
            WriteKey(w, key);
        }
        if (IsPerCpu)
        {
            w.WriteStartArray("values");
            int cpu = 0;
            foreach (var v in PerCpuValues(value))
            {
                w.WriteStartObject();
                w.WriteNumber("cpu", cpu++);
                w.WritePropertyName("value");
                WriteValue(w, v.Span);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        else
        {
            w.WritePropertyName("value");
            WriteValue(w, value);
        }
        more?.Invoke(w);
        w.WriteEndObject();
    }

    /// <summary>The entry as text: "key: value", per-CPU values as "cpu0=... cpu1=...".</summary>
    public string EntryText(byte[] key, byte[] value)
    {
        string v = IsPerCpu
            ? string.Join(" ", PerCpuValues(value).Select((x, cpu) => $"cpu{cpu}={ValueText(x.Span)}"))
            : ValueText(value);
        return key.Length == 0 ? v : $"{KeyText(key)}: {v}";
    }

    private string Text(int typeId, ReadOnlySpan<byte> bytes) =>
        _btf is not null && typeId > 0 ? _btf.FormatText(typeId, bytes) : Hex(bytes);

    private void Json(Utf8JsonWriter w, int typeId, ReadOnlySpan<byte> bytes)
    {
        if (_btf is not null && typeId > 0)
        {
            _btf.WriteJson(w, typeId, bytes);
            return;
        }
        w.WriteStartArray();
        foreach (var b in bytes) w.WriteStringValue($"0x{b:x2}");
        w.WriteEndArray();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2")));
}
