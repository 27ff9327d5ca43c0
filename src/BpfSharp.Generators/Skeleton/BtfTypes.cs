using System.Collections.Generic;

namespace BpfSharp.Generators.Skeleton;

/// <summary>The types of a .BTF section, indexed by id (0 is void).</summary>
internal sealed class BtfTypes
{
    private readonly List<BtfType> _types;

    private BtfTypes(List<BtfType> types) => _types = types;

    public int Count => _types.Count;

    public BtfType this[int id] => id >= 0 && id < _types.Count ? _types[id] : throw new SkeletonException($"BTF type id {id} does not exist");

    public IEnumerable<BtfType> All => _types;

    /// <summary>Follows typedefs and const/volatile/restrict/type tags to the type that has a layout.</summary>
    public BtfType Resolve(int id)
    {
        var t = this[id];
        for (int guard = 0; guard < 64 && t.Kind is BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag; guard++)
            t = this[t.Type];
        return t;
    }

    /// <summary>Skips modifiers (not typedefs).</summary>
    public BtfType SkipModifiers(int id)
    {
        var t = this[id];
        for (int guard = 0; guard < 64 && t.Kind is BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag; guard++)
            t = this[t.Type];
        return t;
    }

    public int SizeOf(int id)
    {
        var t = Resolve(id);
        return t.Kind switch
        {
            BtfKind.Ptr => 8,
            BtfKind.Array => t.ArrayLength * SizeOf(t.Type),
            BtfKind.Int or BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Float or BtfKind.DataSec => t.Size,
            _ => 0,
        };
    }

    public static BtfTypes Parse(byte[] b)
    {
        if (b.Length < 24 || ByteReader.U16(b, 0) != 0xeB9F)
            throw new SkeletonException("the .BTF section has no BTF magic");
        int hdrLen = (int)ByteReader.U32(b, 4);
        int typeOff = (int)ByteReader.U32(b, 8), typeLen = (int)ByteReader.U32(b, 12);
        int strOff = (int)ByteReader.U32(b, 16), strLen = (int)ByteReader.U32(b, 20);
        ByteReader.Check(b, hdrLen + (long)typeOff, typeLen, "BTF types");
        ByteReader.Check(b, hdrLen + (long)strOff, strLen, "BTF strings");
        int strings = hdrLen + strOff;
        string Str(uint off) => off < strLen ? ByteReader.CString(b, strings + (int)off) : throw new SkeletonException($"BTF string offset {off} is out of range");

        var types = new List<BtfType> { new BtfType { Id = 0, Kind = BtfKind.Void, Name = "void" } };
        int at = hdrLen + typeOff, end = at + typeLen;
        while (at < end)
        {
            ByteReader.Check(b, at, 12, "a BTF type");
            uint info = ByteReader.U32(b, at + 4);
            int vlen = (int)(info & 0xffff);
            var t = new BtfType
            {
                Id = types.Count,
                Name = Str(ByteReader.U32(b, at)),
                Kind = (BtfKind)((info >> 24) & 0x1f),
                KindFlag = (info >> 31) != 0,
            };
            uint sizeOrType = ByteReader.U32(b, at + 8);
            at += 12;
            switch (t.Kind)
            {
                case BtfKind.Int:
                    t.Size = (int)sizeOrType;
                    uint enc = ByteReader.U32(b, at);
                    t.IntBits = (int)(enc & 0xff);
                    t.IntSigned = ((enc >> 24) & 1) != 0;
                    t.IntBool = ((enc >> 24) & 4) != 0;
                    t.IntChar = ((enc >> 24) & 2) != 0;
                    at += 4;
                    break;
                case BtfKind.Array:
                    t.Type = (int)ByteReader.U32(b, at);
                    t.ArrayLength = (int)ByteReader.U32(b, at + 8);
                    at += 12;
                    break;
                case BtfKind.Struct:
                case BtfKind.Union:
                    t.Size = (int)sizeOrType;
                    for (int i = 0; i < vlen; i++, at += 12)
                    {
                        uint offset = ByteReader.U32(b, at + 8);
                        // With kind_flag set the offset word packs the bitfield size above a 24-bit bit offset.
                        t.Members.Add(t.KindFlag
                            ? new BtfMember(Str(ByteReader.U32(b, at)), (int)ByteReader.U32(b, at + 4), (int)(offset & 0xffffff), (int)(offset >> 24))
                            : new BtfMember(Str(ByteReader.U32(b, at)), (int)ByteReader.U32(b, at + 4), (int)offset, 0));
                    }
                    break;
                case BtfKind.Enum:
                    t.Size = (int)sizeOrType;
                    t.IntSigned = t.KindFlag;
                    for (int i = 0; i < vlen; i++, at += 8)
                    {
                        int raw = ByteReader.I32(b, at + 4);
                        t.Enumerators.Add((Str(ByteReader.U32(b, at)), t.KindFlag ? raw : (long)(uint)raw));
                    }
                    break;
                case BtfKind.Enum64:
                    t.Size = (int)sizeOrType;
                    t.IntSigned = t.KindFlag;
                    for (int i = 0; i < vlen; i++, at += 12)
                        t.Enumerators.Add((Str(ByteReader.U32(b, at)), (long)(ByteReader.U32(b, at + 4) | (ulong)ByteReader.U32(b, at + 8) << 32)));
                    break;
                case BtfKind.FuncProto:
                    t.Type = (int)sizeOrType;
                    at += 8 * vlen;
                    break;
                case BtfKind.Var:
                    t.Type = (int)sizeOrType;
                    at += 4;
                    break;
                case BtfKind.DataSec:
                    t.Size = (int)sizeOrType;
                    for (int i = 0; i < vlen; i++, at += 12)
                        t.Variables.Add(((int)ByteReader.U32(b, at), (int)ByteReader.U32(b, at + 4), (int)ByteReader.U32(b, at + 8)));
                    break;
                case BtfKind.Float:
                    t.Size = (int)sizeOrType;
                    break;
                case BtfKind.DeclTag:
                    t.Type = (int)sizeOrType;
                    at += 4;
                    break;
                case BtfKind.Ptr:
                case BtfKind.Fwd:
                case BtfKind.Typedef:
                case BtfKind.Volatile:
                case BtfKind.Const:
                case BtfKind.Restrict:
                case BtfKind.Func:
                case BtfKind.TypeTag:
                    t.Type = (int)sizeOrType;
                    break;
                default:
                    throw new SkeletonException($"BTF type {t.Id} has unknown kind {(int)t.Kind}");
            }
            types.Add(t);
        }
        return new BtfTypes(types);
    }
}
