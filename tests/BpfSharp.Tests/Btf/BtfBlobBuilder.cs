using System.Buffers.Binary;
using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Test-only writer of raw BTF blobs, record by record, so that tests control every field (including wrong ones).
/// For split BTF, pass the base's string length and type count: this blob's string offsets and ids continue them.
/// </summary>
internal sealed class BtfBlobBuilder
{
    private readonly List<byte> _types = [];
    // Starts with NUL: offset 0 is the empty name (a split blob's own section needs none, but it is harmless).
    private readonly List<byte> _strings;
    private readonly Dictionary<string, int> _stringOffsets = new(StringComparer.Ordinal) { [""] = 0 };
    private readonly int _stringBase;
    private int _nextId;

    public BtfBlobBuilder(int firstTypeId = 1, int stringBase = 0, bool leadingNul = true)
    {
        // Without the leading NUL (allowed in a split blob only), the first own string starts the section.
        _strings = leadingNul ? [0] : [];
        _nextId = firstTypeId;
        _stringBase = stringBase;
    }

    /// <summary>The id the next added type gets.</summary>
    public int NextId => _nextId;

    public static BtfBlobBuilder SplitOn(BtfSpec baseSpec, bool leadingNul = true) => new(baseSpec.Count, baseSpec.StringsEnd, leadingNul);

    public int Str(string s)
    {
        if (_stringOffsets.TryGetValue(s, out int offset))
            return offset;
        offset = _stringBase + _strings.Count;
        _strings.AddRange(Encoding.UTF8.GetBytes(s));
        _strings.Add(0);
        _stringOffsets[s] = offset;
        return offset;
    }

    /// <summary>Appends another copy of <paramref name="s"/>, as a blob whose strings were not deduplicated has.</summary>
    public int StrCopy(string s)
    {
        int offset = _stringBase + _strings.Count;
        _strings.AddRange(Encoding.UTF8.GetBytes(s));
        _strings.Add(0);
        return offset;
    }

    /// <summary>Appends a raw record: <c>struct btf_type</c> and the words after it.</summary>
    public int Raw(uint nameOff, uint info, uint sizeOrType, params uint[] extra)
    {
        Word(nameOff);
        Word(info);
        Word(sizeOrType);
        foreach (var w in extra)
            Word(w);
        return _nextId++;
    }

    public static uint Info(BtfKind kind, int vlen = 0, bool kindFlag = false) =>
        ((uint)kind << 24) | (uint)(vlen & 0xffff) | (kindFlag ? 0x8000_0000u : 0);

    public int Int(string name, int size, BtfIntEncoding encoding = BtfIntEncoding.None, int bits = -1, int bitOffset = 0) =>
        Raw((uint)Str(name), Info(BtfKind.Int), (uint)size,
            ((uint)encoding << 24) | ((uint)bitOffset << 16) | (uint)(bits < 0 ? size * 8 : bits));

    public int Pointer(int target) => Raw(0, Info(BtfKind.Pointer), (uint)target);

    public int Array(int element, int index, int length) =>
        Raw(0, Info(BtfKind.Array), 0, (uint)element, (uint)index, (uint)length);

    public int Struct(string name, int size, params (string Name, int Type, int BitOffset)[] members) =>
        Composite(BtfKind.Struct, name, size, false, members.Select(m => (m.Name, m.Type, m.BitOffset, 0)).ToArray());

    public int Union(string name, int size, params (string Name, int Type, int BitOffset)[] members) =>
        Composite(BtfKind.Union, name, size, false, members.Select(m => (m.Name, m.Type, m.BitOffset, 0)).ToArray());

    /// <summary>A struct or union with the kind_flag set: offsets carry bitfield sizes.</summary>
    public int Bitfields(BtfKind kind, string name, int size, params (string Name, int Type, int BitOffset, int BitfieldSize)[] members) =>
        Composite(kind, name, size, true, members);

    private int Composite(BtfKind kind, string name, int size, bool kindFlag,
        (string Name, int Type, int BitOffset, int BitfieldSize)[] members)
    {
        var extra = new List<uint>();
        foreach (var m in members)
        {
            extra.Add((uint)Str(m.Name));
            extra.Add((uint)m.Type);
            extra.Add(kindFlag ? ((uint)m.BitfieldSize << 24) | (uint)m.BitOffset : (uint)m.BitOffset);
        }
        return Raw((uint)Str(name), Info(kind, members.Length, kindFlag), (uint)size, extra.ToArray());
    }

    public int Enum(string name, int size, bool signed, params (string Name, long Value)[] values)
    {
        var extra = new List<uint>();
        foreach (var v in values)
        {
            extra.Add((uint)Str(v.Name));
            extra.Add((uint)v.Value);
        }
        return Raw((uint)Str(name), Info(BtfKind.Enum, values.Length, signed), (uint)size, extra.ToArray());
    }

    public int Enum64(string name, int size, bool signed, params (string Name, long Value)[] values)
    {
        var extra = new List<uint>();
        foreach (var v in values)
        {
            extra.Add((uint)Str(v.Name));
            extra.Add((uint)v.Value);
            extra.Add((uint)((ulong)v.Value >> 32));
        }
        return Raw((uint)Str(name), Info(BtfKind.Enum64, values.Length, signed), (uint)size, extra.ToArray());
    }

    public int Forward(string name, bool isUnion) => Raw((uint)Str(name), Info(BtfKind.Forward, 0, isUnion), 0);

    public int Typedef(string name, int target) => Raw((uint)Str(name), Info(BtfKind.Typedef), (uint)target);

    public int Volatile(int target) => Raw(0, Info(BtfKind.Volatile), (uint)target);

    public int Const(int target) => Raw(0, Info(BtfKind.Const), (uint)target);

    public int Restrict(int target) => Raw(0, Info(BtfKind.Restrict), (uint)target);

    public int TypeTag(string value, int target, bool attribute = false) =>
        Raw((uint)Str(value), Info(BtfKind.TypeTag, 0, attribute), (uint)target);

    public int Func(string name, int proto, BtfLinkage linkage = BtfLinkage.Global) =>
        Raw((uint)Str(name), Info(BtfKind.Func, (int)linkage), (uint)proto);

    public int FuncProto(int returnType, bool variadic, params (string Name, int Type)[] parameters)
    {
        var extra = new List<uint>();
        foreach (var p in parameters)
        {
            extra.Add((uint)Str(p.Name));
            extra.Add((uint)p.Type);
        }
        if (variadic)
        {
            extra.Add(0);
            extra.Add(0);
        }
        return Raw(0, Info(BtfKind.FuncProto, parameters.Length + (variadic ? 1 : 0)), (uint)returnType, extra.ToArray());
    }

    public int Var(string name, int type, BtfLinkage linkage = BtfLinkage.Global) =>
        Raw((uint)Str(name), Info(BtfKind.Var), (uint)type, (uint)linkage);

    public int DataSec(string name, int size, params (int Type, int Offset, int Size)[] variables)
    {
        var extra = new List<uint>();
        foreach (var v in variables)
        {
            extra.Add((uint)v.Type);
            extra.Add((uint)v.Offset);
            extra.Add((uint)v.Size);
        }
        return Raw((uint)Str(name), Info(BtfKind.DataSec, variables.Length), (uint)size, extra.ToArray());
    }

    public int Float(string name, int size) => Raw((uint)Str(name), Info(BtfKind.Float), (uint)size);

    public int DeclTag(string value, int target, int componentIndex = -1, bool attribute = false) =>
        Raw((uint)Str(value), Info(BtfKind.DeclTag, 0, attribute), (uint)target, (uint)componentIndex);

    /// <summary>The blob: 24-byte header, type section, string section.</summary>
    public byte[] Build()
    {
        var blob = new byte[24 + _types.Count + _strings.Count];
        BinaryPrimitives.WriteUInt16LittleEndian(blob, 0xEB9F);
        blob[2] = 1;
        SetHeader(blob, HeaderLength, 24);
        SetHeader(blob, TypeOffset, 0);
        SetHeader(blob, TypeLength, (uint)_types.Count);
        SetHeader(blob, StringOffset, (uint)_types.Count);
        SetHeader(blob, StringLength, (uint)_strings.Count);
        _types.CopyTo(blob, 24);
        _strings.CopyTo(blob, 24 + _types.Count);
        return blob;
    }

    // Byte offsets of the header's u32 fields.
    public const int HeaderLength = 4, TypeOffset = 8, TypeLength = 12, StringOffset = 16, StringLength = 20;

    public static void SetHeader(byte[] blob, int field, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(field), value);

    public static uint GetHeader(byte[] blob, int field) => BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(field));

    private void Word(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _types.AddRange(b.ToArray());
    }

    /// <summary>
    /// One blob with at least one type of every kind (and the kind_flag variants), used by the round-trip and the
    /// mutation tests. Returns the builder so that tests can look up the ids by name.
    /// </summary>
    public static byte[] AllKinds() => AllKinds(out _);

    public static byte[] AllKinds(out Dictionary<string, int> ids)
    {
        var b = new BtfBlobBuilder();
        ids = new Dictionary<string, int>();
        int i32 = ids["int"] = b.Int("int", 4, BtfIntEncoding.Signed);
        int u8 = ids["unsigned char"] = b.Int("unsigned char", 1);
        int bl = ids["_Bool"] = b.Int("_Bool", 1, BtfIntEncoding.Bool);
        int chr = ids["char"] = b.Int("char", 1, BtfIntEncoding.Char | BtfIntEncoding.Signed);
        int lng = ids["long"] = b.Int("long", 8, BtfIntEncoding.Signed);
        int u128 = ids["__int128 unsigned"] = b.Int("__int128 unsigned", 16);
        int dbl = ids["double"] = b.Float("double", 8);
        int cint = ids["const int"] = b.Const(i32);
        int vint = ids["volatile const int"] = b.Volatile(cint);
        int pvoid = ids["void *"] = b.Pointer(0);
        int rp = ids["void * restrict"] = b.Restrict(pvoid);
        int user = ids["__user tag"] = b.TypeTag("user", i32);
        int puser = ids["int __user *"] = b.Pointer(user);
        int u32 = ids["__u32"] = b.Typedef("__u32", i32);
        int arr = ids["int[4]"] = b.Array(i32, i32, 4);
        int arr2 = ids["int[4][3]"] = b.Array(arr, i32, 3);
        int fwdS = ids["fwd struct"] = b.Forward("later", false);
        int fwdU = ids["fwd union"] = b.Forward("maybe", true);
        int pfwd = ids["struct later *"] = b.Pointer(fwdS);
        // struct inner { int a; int b; }
        int inner = ids["inner"] = b.Struct("inner", 8, ("a", i32, 0), ("b", i32, 32));
        // union { long l; struct inner in; } (anonymous)
        int anonU = ids["anon union"] = b.Union("", 8, ("l", lng, 0), ("in", inner, 0));
        // struct outer { char c; union { ... }; struct inner named; __u32 flags:3, mode:5; }
        int outer = ids["outer"] = b.Bitfields(BtfKind.Struct, "outer", 32,
            ("c", chr, 0, 0), ("", anonU, 64, 0), ("named", inner, 128, 0), ("flags", u32, 192, 3), ("mode", u32, 195, 5));
        int e = ids["enum color"] = b.Enum("color", 4, false, ("RED", 0), ("GREEN", 1), ("BLUE", 0xFFFF_FFFF));
        int es = ids["enum signed"] = b.Enum("delta", 4, true, ("MINUS", -1), ("PLUS", 1));
        int e64 = ids["enum64"] = b.Enum64("big", 8, false, ("HUGE", unchecked((long)0xFFFF_FFFF_FFFF_FFFEUL)), ("ONE", 1));
        int e64s = ids["enum64 signed"] = b.Enum64("sbig", 8, true, ("NEG", long.MinValue));
        int proto = ids["proto"] = b.FuncProto(i32, false, ("x", i32), ("p", pvoid));
        int vproto = ids["variadic proto"] = b.FuncProto(0, true, ("fmt", pvoid));
        int func = ids["func"] = b.Func("add", proto, BtfLinkage.Global);
        int sfunc = ids["static func"] = b.Func("printkish", vproto, BtfLinkage.Static);
        int var1 = ids["var"] = b.Var("counter", i32, BtfLinkage.Global);
        int var2 = ids["static var"] = b.Var("table", arr, BtfLinkage.Static);
        int sec = ids["datasec"] = b.DataSec(".data", 20, (var1, 0, 4), (var2, 4, 16));
        int tag = ids["decl tag"] = b.DeclTag("kfunc", func);
        int mtag = ids["member tag"] = b.DeclTag("counted_by", outer, 2);
        int ptag = ids["param tag"] = b.DeclTag("nonnull", func, 1, attribute: true);
        _ = (u8, bl, u128, dbl, vint, rp, puser, arr2, fwdU, pfwd, e, es, e64, e64s, sfunc, sec, tag, mtag, ptag);
        return b.Build();
    }
}
