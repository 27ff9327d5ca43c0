using System.Buffers.Binary;

namespace BpfSharp.Btf;

/// <summary>One function's BTF record: the instruction (bytes from its section's start in an object) and its FUNC type.</summary>
public readonly record struct BtfFuncInfo(int InstructionOffset, int TypeId);

/// <summary>One source line record: instruction offset (bytes), file and line text offsets into the string section, line and column.</summary>
public readonly record struct BtfLineInfo(int InstructionOffset, int FileNameOffset, int LineOffset, int LineAndColumn)
{
    public int Line => (int)((uint)LineAndColumn >> 10);
    public int Column => LineAndColumn & 0x3ff;
}

/// <summary>One CO-RE relocation: the instruction (bytes), the local type, the access string and the kind.</summary>
public readonly record struct BtfCoreRelocation(int InstructionOffset, int TypeId, int AccessStringOffset, int Kind);

/// <summary>
/// A parsed <c>.BTF.ext</c> section: per ELF section, the func info, line info and CO-RE relocation records
/// clang emitted. Record sizes come from the blob; fields past the ones known here are ignored.
/// </summary>
public sealed class BtfExt
{
    private const ushort Magic = 0xEB9F;

    public IReadOnlyDictionary<string, IReadOnlyList<BtfFuncInfo>> FuncInfo { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<BtfLineInfo>> LineInfo { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<BtfCoreRelocation>> CoreRelocations { get; }

    private BtfExt(Dictionary<string, IReadOnlyList<BtfFuncInfo>> func, Dictionary<string, IReadOnlyList<BtfLineInfo>> line,
        Dictionary<string, IReadOnlyList<BtfCoreRelocation>> core)
    {
        FuncInfo = func;
        LineInfo = line;
        CoreRelocations = core;
    }

    /// <summary>Parses <paramref name="data"/>; section names are strings of <paramref name="btf"/>.</summary>
    /// <exception cref="BpfFormatException">The blob is malformed.</exception>
    public static BtfExt Parse(ReadOnlySpan<byte> data, BtfSpec btf)
    {
        if (data.Length < 24) throw Error($"{data.Length} bytes is too short for a .BTF.ext header");
        if (BinaryPrimitives.ReadUInt16LittleEndian(data) != Magic) throw Error("bad magic");
        if (data[2] != 1) throw Error($"unsupported version {data[2]}");
        uint hdrLen = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (hdrLen < 24 || hdrLen > data.Length) throw Error($"bad header length {hdrLen}");
        var body = data[(int)hdrLen..];

        var func = ReadSubsection(body, data, 8, 8, btf, r => new BtfFuncInfo(I(r, 0), I(r, 4)));
        var line = ReadSubsection(body, data, 16, 16, btf, r => new BtfLineInfo(I(r, 0), I(r, 4), I(r, 8), I(r, 12)));
        var core = hdrLen >= 32
            ? ReadSubsection(body, data, 24, 16, btf, r => new BtfCoreRelocation(I(r, 0), I(r, 4), I(r, 8), I(r, 12)))
            : [];
        return new BtfExt(func, line, core);
    }

    private static int I(ReadOnlySpan<byte> r, int at) => BinaryPrimitives.ReadInt32LittleEndian(r[at..]);

    private delegate T RecordReader<T>(ReadOnlySpan<byte> record);

    /// <summary>
    /// A subsection (offset and length at <paramref name="headerField"/> in the header): a record size, then per
    /// ELF section its name offset, its record count and the records.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<T>> ReadSubsection<T>(ReadOnlySpan<byte> body, ReadOnlySpan<byte> header,
        int headerField, int minRecordSize, BtfSpec btf, RecordReader<T> read)
    {
        var result = new Dictionary<string, IReadOnlyList<T>>();
        uint off = BinaryPrimitives.ReadUInt32LittleEndian(header[headerField..]);
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(header[(headerField + 4)..]);
        if (len == 0) return result;
        if ((ulong)off + len > (ulong)body.Length) throw Error($"subsection at {off} (+{len}) runs past the end");
        var sub = body.Slice((int)off, (int)len);
        if (sub.Length < 4) throw Error("subsection too short for its record size");
        uint recordSize = BinaryPrimitives.ReadUInt32LittleEndian(sub);
        if (recordSize < minRecordSize || recordSize > 1024) throw Error($"bad record size {recordSize}");
        int pos = 4;
        while (pos < sub.Length)
        {
            if (sub.Length - pos < 8) throw Error("truncated section header");
            int nameOff = (int)BinaryPrimitives.ReadUInt32LittleEndian(sub[pos..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(sub[(pos + 4)..]);
            pos += 8;
            if ((ulong)count * recordSize > (ulong)(sub.Length - pos)) throw Error($"{count} records run past the subsection");
            string name;
            try { name = btf.GetString(nameOff); }
            catch (Exception e) when (e is ArgumentException or BpfFormatException) { throw Error($"bad section name offset {nameOff}"); }
            var records = new List<T>((int)count);
            for (int i = 0; i < count; i++, pos += (int)recordSize)
                records.Add(read(sub.Slice(pos, (int)recordSize)));
            if (!result.TryAdd(name, records)) throw Error($"section {name} appears twice");
        }
        return result;
    }

    private static BpfFormatException Error(string message) => new("BTF.ext", message);
}
