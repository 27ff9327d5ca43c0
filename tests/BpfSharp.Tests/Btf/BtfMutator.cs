using System.Buffers.Binary;
using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// A structure-aware mutator of raw BTF: it knows where each record's fields are (references, sizes, offsets,
/// names, counts), rewrites them to values that mean something (an id of the record itself or its neighbours for
/// loops, sizes and offsets past the container, one name for all) and appends hostile shapes (long pointer and
/// modifier chains, deep anonymous nesting, shared anonymous types, huge arrays). Deterministic for a seed.
/// </summary>
internal sealed class BtfMutator(byte[] original, int seed)
{
    private readonly Random _random = new(seed);

    private readonly record struct Record(int Offset, BtfKind Kind, int Vlen, int Length);

    /// <summary>The records of a valid blob's type section (offsets from the blob's start).</summary>
    private static List<Record> Records(byte[] blob)
    {
        var records = new List<Record>();
        int start = 24 + (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeOffset);
        int end = start + (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeLength);
        for (int p = start; p + 12 <= end;)
        {
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(p + 4));
            var kind = (BtfKind)((info >> 24) & 0x1f);
            int vlen = (int)(info & 0xffff);
            int length = RecordLength(kind, vlen);
            records.Add(new Record(p, kind, vlen, length));
            p += length;
        }
        return records;
    }

    /// <summary>A record's length: struct btf_type and what its kind appends.</summary>
    private static int RecordLength(BtfKind kind, int vlen) => 12 + kind switch
    {
        BtfKind.Int or BtfKind.Var or BtfKind.DeclTag => 4,
        BtfKind.Array => 12,
        BtfKind.Struct or BtfKind.Union or BtfKind.DataSec or BtfKind.Enum64 => vlen * 12,
        BtfKind.Enum or BtfKind.FuncProto => vlen * 8,
        _ => 0,
    };

    /// <summary>One mutant: one to three field rewrites, sometimes a hostile shape appended.</summary>
    public byte[] Next()
    {
        var blob = (byte[])original.Clone();
        var records = Records(blob);
        if (records.Count == 0) return blob;
        int count = records.Count;
        int mutations = 1 + _random.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            int index = _random.Next(count);
            var r = records[index];
            int id = index + 1;
            switch (_random.Next(8))
            {
                case 0: // a reference to itself, a neighbour, the last id, one past it, or void
                    Write(blob, ReferenceField(r), Pick(id, id - 1, id + 1, count, count + 1, 0, _random.Next(count + 1)));
                    break;
                case 1: // a size past anything sensible
                    Write(blob, r.Offset + 8, Pick(0u, 1, 3, 7, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 1u << 29));
                    break;
                case 2 when r.Kind is BtfKind.Struct or BtfKind.Union or BtfKind.DataSec && r.Vlen > 0:
                {
                    // A member's (or variable's) offset or type.
                    int at = r.Offset + 12 + _random.Next(r.Vlen) * 12;
                    if (_random.Next(2) == 0)
                        Write(blob, at + (r.Kind == BtfKind.DataSec ? 4 : 8), Pick(0u, 8, 1, 0x7fff_ffff, 0xffff_fff8, 0x0800_0000, 0x8000_0040));
                    else
                        Write(blob, at + (r.Kind == BtfKind.DataSec ? 0 : 4), Pick(id, id + 1, id - 1, count, 0));
                    break;
                }
                case 3 when r.Kind == BtfKind.Array:
                    Write(blob, r.Offset + 20, Pick(0u, 1, 0x7fff_ffff, 0x1000_0000, 0xffff_ffff));
                    break;
                case 4: // every name one name
                {
                    uint name = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(records[_random.Next(count)].Offset));
                    foreach (var other in records) Write(blob, other.Offset, name);
                    break;
                }
                case 5: // kind_flag or vlen changed
                {
                    uint info = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(r.Offset + 4));
                    Write(blob, r.Offset + 4, _random.Next(2) == 0 ? info ^ 0x8000_0000 : (info & 0xffff_0000) | (uint)_random.Next(4));
                    break;
                }
                case 6: // another kind of the same record length
                {
                    BtfKind[] sameLength = [BtfKind.Pointer, BtfKind.Typedef, BtfKind.Const, BtfKind.Volatile, BtfKind.Restrict, BtfKind.TypeTag, BtfKind.Func, BtfKind.Forward];
                    if (r.Length == 12)
                    {
                        uint info = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(r.Offset + 4));
                        Write(blob, r.Offset + 4, (info & 0x80ff_ffff) | ((uint)sameLength[_random.Next(sameLength.Length)] << 24));
                    }
                    break;
                }
                default:
                    break;
            }
        }
        return _random.Next(4) == 0 ? Append(blob, count) : blob;
    }

    private uint Pick(params uint[] values) => values[_random.Next(values.Length)];

    private uint Pick(params int[] values) => (uint)values[_random.Next(values.Length)];

    private static void Write(byte[] blob, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at), value);

    /// <summary>Where a record keeps a type id it refers to (its size field for kinds without one: harmless).</summary>
    private int ReferenceField(Record r) => r.Kind switch
    {
        BtfKind.Array => r.Offset + 12,
        BtfKind.Struct or BtfKind.Union when r.Vlen > 0 => r.Offset + 12 + _random.Next(r.Vlen) * 12 + 4,
        BtfKind.FuncProto when r.Vlen > 0 => r.Offset + 12 + _random.Next(r.Vlen) * 8 + 4,
        BtfKind.DataSec when r.Vlen > 0 => r.Offset + 12 + _random.Next(r.Vlen) * 12,
        _ => r.Offset + 8,
    };

    /// <summary>Appends one hostile shape after the existing types, referring into them.</summary>
    private byte[] Append(byte[] blob, int count)
    {
        var b = new BtfBlobBuilder(firstTypeId: count + 1);
        int depth = _random.Next(2) == 0 ? _random.Next(2, 64) : _random.Next(1000, 6000);
        int target = 1 + _random.Next(count);
        switch (_random.Next(6))
        {
            case 0: // pointers and modifiers, sometimes closing a loop
            {
                int first = b.NextId, id = target;
                for (int i = 0; i < depth; i++) id = _random.Next(3) == 0 ? b.Const(id) : b.Pointer(id);
                if (_random.Next(2) == 0) b.Pointer(first);
                b.Typedef("chain_t", id);
                break;
            }
            case 1: // anonymous structs nested by value
            {
                int id = b.Int("int", 4);
                for (int i = 0; i < depth; i++) id = b.Struct("", 4, ("", id, 0));
                b.Struct("deep", 4, ("", id, 0));
                break;
            }
            case 2: // anonymous structs shared twice per level
            {
                int id = b.Struct("", 0);
                for (int i = 0; i < Math.Min(depth, 80); i++) id = b.Struct("", 0, ("a", id, 0), ("b", id, 0));
                b.Struct("shared", 0, ("x", id, 0));
                break;
            }
            case 3: // prototypes taking pointers to themselves or to the last one twice
            {
                int i32 = b.Int("int", 4);
                int proto = b.FuncProto(i32, false);
                for (int i = 0; i < Math.Min(depth, 80); i++)
                {
                    int p = b.Pointer(_random.Next(2) == 0 ? proto : b.NextId + 1);
                    proto = b.FuncProto(i32, false, ("a", p), ("b", p));
                }
                b.Typedef("fn_t", b.Pointer(proto));
                break;
            }
            case 4: // arrays of arrays of nothing
            {
                int empty = b.Struct("", 0);
                int i32 = b.Int("int", 4);
                int id = empty;
                for (int i = 0; i < Math.Min(depth, 8); i++) id = b.Array(id, i32, 0x7fff_ffff);
                b.Struct("many", 0, ("m", id, 0));
                break;
            }
            default: // one enumerator name, many times
                b.Enum("same", 4, false, Enumerable.Range(0, depth).Select(i => ("X", (long)i)).ToArray());
                break;
        }
        return Concatenate(blob, b.Build());
    }

    /// <summary>The original's types then the extra's, the original's strings then the extra's (offsets moved).</summary>
    private static byte[] Concatenate(byte[] blob, byte[] extra)
    {
        int typeLen = (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeLength);
        int strOff = (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.StringOffset);
        int strLen = (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.StringLength);
        int extraTypes = (int)BtfBlobBuilder.GetHeader(extra, BtfBlobBuilder.TypeLength);
        int extraStrLen = (int)BtfBlobBuilder.GetHeader(extra, BtfBlobBuilder.StringLength);
        var types = extra.AsSpan(24, extraTypes).ToArray();
        // Shift the extra's name offsets (the first word of each record, and member/enumerator/parameter names)
        // by the original's string length. Only the first word of every record is moved: the other names stay
        // inside the string section either way, which is all a name must do.
        for (int p = 0; p + 12 <= types.Length;)
        {
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(types.AsSpan(p + 4));
            Write(types, p, BinaryPrimitives.ReadUInt32LittleEndian(types.AsSpan(p)) + (uint)strLen);
            p += RecordLength((BtfKind)((info >> 24) & 0x1f), (int)(info & 0xffff));
        }
        var result = new byte[24 + typeLen + types.Length + strLen + extraStrLen];
        blob.AsSpan(0, 24).CopyTo(result);
        blob.AsSpan(24, typeLen).CopyTo(result.AsSpan(24));
        types.CopyTo(result.AsSpan(24 + typeLen));
        blob.AsSpan(24 + strOff, strLen).CopyTo(result.AsSpan(24 + typeLen + types.Length));
        extra.AsSpan(24 + extraTypes, extraStrLen).CopyTo(result.AsSpan(24 + typeLen + types.Length + strLen));
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.HeaderLength, 24);
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.TypeOffset, 0);
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.TypeLength, (uint)(typeLen + types.Length));
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.StringOffset, (uint)(typeLen + types.Length));
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.StringLength, (uint)(strLen + extraStrLen));
        return result;
    }
}
