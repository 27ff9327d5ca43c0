using System.Buffers.Binary;

namespace BpfSharp.Btf;

/// <summary>One function's BTF record: the instruction (bytes from its section's start in an object) and its FUNC type.</summary>
public readonly record struct BtfFuncInfo(int InstructionOffset, int TypeId);

/// <summary>One source line record: instruction offset (bytes), file and line text offsets into the string section, line and column.</summary>
public readonly record struct BtfLineInfo(int InstructionOffset, int FileNameOffset, int LineOffset, int LineAndColumn)
{
    /// <summary>The source line number (the upper 22 bits of <c>line_col</c>).</summary>
    public int Line => (int)((uint)LineAndColumn >> 10);
    /// <summary>The source column (the low 10 bits of <c>line_col</c>).</summary>
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

    /// <summary>The func info records (<c>bpf_func_info</c>), by ELF section name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<BtfFuncInfo>> FuncInfo { get; }
    /// <summary>The line info records (<c>bpf_line_info</c>), by ELF section name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<BtfLineInfo>> LineInfo { get; }
    /// <summary>The CO-RE relocation records (<c>bpf_core_relo</c>), by ELF section name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<BtfCoreRelocation>> CoreRelocations { get; }

    private BtfExt(Dictionary<string, IReadOnlyList<BtfFuncInfo>> func, Dictionary<string, IReadOnlyList<BtfLineInfo>> line,
        Dictionary<string, IReadOnlyList<BtfCoreRelocation>> core)
    {
        FuncInfo = func;
        LineInfo = line;
        CoreRelocations = core;
    }

    /// <summary>
    /// Parses <paramref name="data"/> and checks every record against <paramref name="btf"/> (whose strings name the
    /// sections): instruction offsets are whole instructions, a func info names a FUNC, a line info's file and line
    /// are strings, a CO-RE relocation has a known kind, a type that an expression can have and a well-formed
    /// access string (<c>0:1:2</c>). With <paramref name="sectionSizes"/> (code section sizes in bytes, by name),
    /// every section must be one of them and every instruction offset must lie inside it.
    /// </summary>
    /// <exception cref="BpfFormatException">The blob is malformed or a record does not fit the BTF or the code.</exception>
    public static BtfExt Parse(ReadOnlySpan<byte> data, BtfSpec btf, IReadOnlyDictionary<string, int>? sectionSizes = null)
    {
        ArgumentNullException.ThrowIfNull(btf);
        if (data.Length < 24) throw Error($"{data.Length} bytes is too short for a .BTF.ext header");
        if (BinaryPrimitives.ReadUInt16LittleEndian(data) != Magic) throw Error("bad magic");
        if (data[2] != 1) throw Error($"unsupported version {data[2]}");
        uint hdrLen = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (hdrLen < 24 || hdrLen > data.Length) throw Error($"bad header length {hdrLen}");
        var body = data[(int)hdrLen..];

        var func = ReadSubsection(body, data, 8, 8, btf, sectionSizes, "func info", r => new BtfFuncInfo(I(r, 0), I(r, 4)),
            (f, where) => CheckFuncInfo(f, btf, where));
        var line = ReadSubsection(body, data, 16, 16, btf, sectionSizes, "line info", r => new BtfLineInfo(I(r, 0), I(r, 4), I(r, 8), I(r, 12)),
            (l, where) => CheckLineInfo(l, btf, where));
        var core = hdrLen >= 32
            ? ReadSubsection(body, data, 24, 16, btf, sectionSizes, "CO-RE relocation", r => new BtfCoreRelocation(I(r, 0), I(r, 4), I(r, 8), I(r, 12)),
                (c, where) => CheckCoreRelocation(c, btf, where))
            : [];
        return new BtfExt(func, line, core);
    }

    private static void CheckFuncInfo(BtfFuncInfo f, BtfSpec btf, string where)
    {
        if ((uint)f.TypeId >= (uint)btf.Count || btf.GetKind(f.TypeId) != BtfKind.Func)
            throw Error($"{where}: type {f.TypeId} is not a FUNC of the BTF ({btf.Count} types)");
    }

    private static void CheckLineInfo(BtfLineInfo l, BtfSpec btf, string where)
    {
        if (!IsString(btf, l.FileNameOffset) || !IsString(btf, l.LineOffset))
            throw Error($"{where}: file name offset {l.FileNameOffset} or line offset {l.LineOffset} is outside the string section");
    }

    private static void CheckCoreRelocation(BtfCoreRelocation c, BtfSpec btf, string where)
    {
        if ((uint)c.Kind > (uint)CoreRelocationKind.TypeMatches)
            throw Error($"{where}: unknown relocation kind {c.Kind}");
        if ((uint)c.TypeId >= (uint)btf.Count)
            throw Error($"{where}: type {c.TypeId} is past the last type id {btf.Count - 1}");
        // clang relocates expressions and types: never a function, variable, section or tag.
        if (btf.GetKind(c.TypeId) is BtfKind.Func or BtfKind.Var or BtfKind.DataSec or BtfKind.DeclTag)
            throw Error($"{where}: type {c.TypeId} is a {btf.GetKind(c.TypeId).ToKernelName()}, which CO-RE cannot relocate");
        if (!IsString(btf, c.AccessStringOffset))
            throw Error($"{where}: access string offset {c.AccessStringOffset} is outside the string section");
        if (!IsAccessString(btf.GetString(c.AccessStringOffset)))
            throw Error($"{where}: access string '{btf.GetString(c.AccessStringOffset)}' is not of the form 0:1:2");
    }

    private static bool IsString(BtfSpec btf, int offset) => (uint)offset < (uint)btf.StringsEnd;

    /// <summary>Non-negative decimal indexes separated by colons, each fitting an int.</summary>
    private static bool IsAccessString(string s)
    {
        if (s.Length == 0) return false;
        foreach (var part in s.Split(':'))
            if (part.Length == 0 || part.Length > 9 || !part.All(char.IsAsciiDigit)) return false;
        return true;
    }

    private static int I(ReadOnlySpan<byte> r, int at) => BinaryPrimitives.ReadInt32LittleEndian(r[at..]);

    private delegate T RecordReader<T>(ReadOnlySpan<byte> record);

    /// <summary>
    /// A subsection (offset and length at <paramref name="headerField"/> in the header): a record size, then per
    /// ELF section its name offset, its record count and the records.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<T>> ReadSubsection<T>(ReadOnlySpan<byte> body, ReadOnlySpan<byte> header,
        int headerField, int minRecordSize, BtfSpec btf, IReadOnlyDictionary<string, int>? sectionSizes, string what,
        RecordReader<T> read, Action<T, string> check) where T : struct
    {
        var result = new Dictionary<string, IReadOnlyList<T>>();
        uint off = BinaryPrimitives.ReadUInt32LittleEndian(header[headerField..]);
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(header[(headerField + 4)..]);
        if (len == 0) return result;
        if ((ulong)off + len > (ulong)body.Length) throw Error($"subsection at {off} (+{len}) runs past the end");
        var sub = body.Slice((int)off, (int)len);
        if (sub.Length < 4) throw Error("subsection too short for its record size");
        uint recordSize = BinaryPrimitives.ReadUInt32LittleEndian(sub);
        // As libbpf: at least the fields known here, whole 4-byte words.
        if (recordSize < minRecordSize || recordSize > 1024 || recordSize % 4 != 0) throw Error($"bad {what} record size {recordSize}");
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
            int sectionSize = int.MaxValue;
            if (sectionSizes is not null && !sectionSizes.TryGetValue(name, out sectionSize))
                throw Error($"{what} for section '{name}', which is not a code section of the object");
            var records = new List<T>((int)count);
            for (int i = 0; i < count; i++, pos += (int)recordSize)
            {
                var record = read(sub.Slice(pos, (int)recordSize));
                // Every record starts with its instruction's byte offset.
                int insnOff = I(sub[pos..], 0);
                string where = $"{what} {i} of section '{name}'";
                if (insnOff < 0 || insnOff % 8 != 0 || insnOff >= sectionSize)
                    throw Error($"{where}: instruction offset {insnOff} is not an instruction of the section ({(sectionSize == int.MaxValue ? "size unknown" : $"{sectionSize} bytes")})");
                check(record, where);
                records.Add(record);
            }
            if (!result.TryAdd(name, records)) throw Error($"section {name} appears twice");
        }
        return result;
    }

    private static BpfFormatException Error(string message) => new("BTF.ext", message);
}
