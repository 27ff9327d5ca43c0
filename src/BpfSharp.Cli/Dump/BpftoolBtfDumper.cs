using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// A value written through a BTF type as bpftool 7.1's BTF dumper writes it (what <c>struct_ops dump</c> prints), for
/// output equal to bpftool's byte for byte. Its rules, not JSON's: every integer that is not 8, 16, 32 or 64 whole bits
/// (and every bitfield) as hex; a char array as a string only when a NUL ends printable text; enums by name; members
/// named even when anonymous (<c>""</c>). In plain text (no <c>-j</c>) pointers are C's <c>%p</c> (<c>(nil)</c> for 0)
/// and odd chars and 128-bit values bare hex, so the text is not always JSON; with <c>-j</c> they are numbers or
/// strings. With <see cref="ProgramIdsAsFunctions"/>, a function pointer holding a value that fits 32 bits is a program
/// id (the kernel writes struct_ops members so): its signature, then the program's name and id.
/// </summary>
internal sealed class BpftoolBtfDumper(BtfSpec spec, BpftoolJsonWriter json, bool plainText)
{
    /// <summary>Resolution through typedefs and modifiers gives up after this many steps, as libbpf's does.</summary>
    private const int MaxResolveDepth = 32;

    public bool ProgramIdsAsFunctions { get; init; }

    /// <summary>Writes the value; false where bpftool's dumper stops with an error (what was written stays).</summary>
    public bool Write(int typeId, ReadOnlySpan<byte> data) => Value(typeId, 0, data);

    private bool Value(int typeId, int bitOffset, ReadOnlySpan<byte> data)
    {
        var type = spec[typeId];
        switch (type)
        {
            case BtfInt i: return Int(i, bitOffset, data);
            case BtfComposite c: return Composite(c, data);
            case BtfArray a: return Array(a, data);
            case BtfEnum e: return Enum(e, data);
            case BtfPointer p:
                Pointer(p, data);
                return true;
            case BtfVoid:
                json.Raw("(unknown)");
                return true;
            case BtfForward:
                json.Raw("(fwd-kind-invalid)");
                return false;
            case BtfTypedef or BtfConst or BtfVolatile or BtfRestrict:
                int resolved = Resolve(typeId);
                return resolved > 0 && Value(resolved, bitOffset, data);
            case BtfVar v:
                json.StartObject();
                json.Name(v.Name);
                bool ok = Value(v.TypeId, bitOffset, data);
                json.EndObject();
                return ok;
            case BtfDataSec s:
                json.StartObject();
                json.Name(s.Name);
                json.StartArray();
                bool all = true;
                foreach (var v in s.Variables)
                    if (!(all = Value(v.TypeId, 0, data[(int)v.Offset..]))) break;
                json.EndArray();
                json.EndObject();
                return all;
            default:
                json.Raw("(unsupported-kind");
                return false;
        }
    }

    /// <summary>libbpf's btf__resolve_type: through typedefs, modifiers and variables; 0 for void or too deep.</summary>
    private int Resolve(int typeId)
    {
        for (int depth = 0; depth < MaxResolveDepth; depth++)
        {
            switch (spec[typeId])
            {
                case BtfVoid: return 0;
                case BtfTypedef t: typeId = t.TargetId; break;
                case BtfModifier m: typeId = m.TargetId; break;
                case BtfVar v: typeId = v.TypeId; break;
                default: return typeId;
            }
        }
        return 0;
    }

    private bool Int(BtfInt type, int bitOffset, ReadOnlySpan<byte> data)
    {
        if (bitOffset != 0 || type.BitOffset != 0 || type.Bits % 8 != 0)
        {
            int total = bitOffset + type.BitOffset;
            Bitfield(type.Bits, total % 8, data[(total / 8)..]);
            return true;
        }
        if (type.Bits == 128)
        {
            Int128(BinaryPrimitives.ReadUInt64LittleEndian(data[8..]), BinaryPrimitives.ReadUInt64LittleEndian(data));
            return true;
        }
        // bpftool switches on the encoding as a whole: a combination of flags is none of its cases.
        switch ((int)type.Encoding)
        {
            case 0 or 1 when type.Bits is 64 or 32 or 16 or 8:
                json.Raw((int)type.Encoding == 1
                    ? Signed(data, type.Bits / 8).ToString(CultureInfo.InvariantCulture)
                    : Unsigned(data, type.Bits / 8).ToString(CultureInfo.InvariantCulture));
                return true;
            case 0 or 1:
                Bitfield(type.Bits, 0, data);
                return true;
            case 2: // char
                byte c = data[0];
                if (c is >= 0x20 and < 0x7f) json.Raw($"\"{(char)c}\"");
                else json.Raw(plainText ? $"0x{c:x}" : $"\"\\u00{c:x2}\"");
                return true;
            case 4: // bool
                json.Raw(data[0] != 0 ? "true" : "false");
                return true;
            default:
                return false;
        }
    }

    private static ulong Unsigned(ReadOnlySpan<byte> data, int size) => size switch
    {
        8 => BinaryPrimitives.ReadUInt64LittleEndian(data),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(data),
        2 => BinaryPrimitives.ReadUInt16LittleEndian(data),
        _ => data[0],
    };

    private static long Signed(ReadOnlySpan<byte> data, int size) => size switch
    {
        8 => BinaryPrimitives.ReadInt64LittleEndian(data),
        4 => BinaryPrimitives.ReadInt32LittleEndian(data),
        2 => BinaryPrimitives.ReadInt16LittleEndian(data),
        _ => (sbyte)data[0],
    };

    /// <summary>The <paramref name="bits"/> bits from <paramref name="bitOffset"/> (0-7) of the bytes, as hex.</summary>
    private void Bitfield(int bits, int bitOffset, ReadOnlySpan<byte> data)
    {
        Span<byte> copy = stackalloc byte[16];
        copy.Clear();
        int bytes = (bitOffset + bits + 7) / 8;
        data[..Math.Min(bytes, 16)].CopyTo(copy);
        var value = BinaryPrimitives.ReadUInt128LittleEndian(copy) >> bitOffset;
        if (bits < 128) value &= (UInt128.One << bits) - 1;
        Int128((ulong)(value >> 64), (ulong)value);
    }

    private void Int128(ulong upper, ulong lower)
    {
        string hex = upper == 0 ? $"0x{lower:x}" : $"0x{upper:x}{lower:x16}";
        json.Raw(plainText ? hex : $"\"{hex}\"");
    }

    private bool Composite(BtfComposite type, ReadOnlySpan<byte> data)
    {
        json.StartObject();
        bool ok = true;
        foreach (var m in type.Members)
        {
            json.Name(m.Name);
            var at = data[(m.BitOffset / 8)..];
            if (m.BitfieldSize != 0) Bitfield(m.BitfieldSize, m.BitOffset % 8, at);
            else if (!(ok = Value(m.TypeId, m.BitOffset % 8, at))) break;
        }
        json.EndObject();
        return ok;
    }

    private bool Array(BtfArray type, ReadOnlySpan<byte> data)
    {
        if (IsString(type, data))
        {
            json.String(Encoding.Latin1.GetString(data[..data.IndexOf((byte)0)]));
            return true;
        }
        if (!spec.TryGetSize(type.ElementTypeId, out int size)) return false;
        json.StartArray();
        bool ok = true;
        for (int i = 0; i < type.Length && ok; i++) ok = Value(type.ElementTypeId, 0, data[(i * size)..]);
        json.EndArray();
        return ok;
    }

    /// <summary>A char array (through modifiers, not typedefs) whose bytes are printable up to a NUL inside it.</summary>
    private bool IsString(BtfArray type, ReadOnlySpan<byte> data)
    {
        if (type.Length == 0) return false;
        var element = spec[type.ElementTypeId];
        while (element is BtfModifier m) element = m.Target;
        if (element is not BtfInt { Size: 1 } i || (!i.IsChar && i.Name != "char")) return false;
        foreach (byte b in data[..type.Length])
        {
            if (b == 0) return true;
            if (b is <= 0x1f or >= 0x7f) return false;
        }
        return false;
    }

    private bool Enum(BtfEnum type, ReadOnlySpan<byte> data)
    {
        if (type.Is64Bit)
        {
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(data);
            foreach (var v in type.Values)
            {
                if ((ulong)v.Value == value)
                {
                    json.String(v.Name);
                    return true;
                }
            }
            json.Raw(((long)value).ToString(CultureInfo.InvariantCulture));
            return true;
        }
        if (type.Size is not (8 or 4 or 2 or 1)) return false;
        long read = Signed(data, type.Size);
        // The enumerators are compared as the 32-bit signed numbers BTF stores them as.
        foreach (var v in type.Values)
        {
            if ((int)v.Value == read)
            {
                json.String(v.Name);
                return true;
            }
        }
        json.Raw(read.ToString(CultureInfo.InvariantCulture));
        return true;
    }

    private void Pointer(BtfPointer type, ReadOnlySpan<byte> data)
    {
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (ProgramIdsAsFunctions && value <= uint.MaxValue && Resolve(type.TargetId) is > 0 and int target
            && spec[target] is BtfFuncProto proto && TrySignature(proto, null) is { } signature)
        {
            json.String(signature + ProgramSuffix((uint)value));
            return;
        }
        json.Raw(plainText ? (value == 0 ? "(nil)" : $"0x{value:x}") : value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>" 0", or " NAME/prog_id:ID" with the name of the program's first function (its BTF's).</summary>
    private static string ProgramSuffix(uint id)
    {
        if (id == 0) return " 0";
        string name = "<unknown_prog_name>";
        try
        {
            using var program = BpfProgram.FromId(id);
            var code = program.GetCode();
            if (code.BtfId != 0 && code.Functions.Length > 0
                && BtfSpec.LoadFromKernelId(code.BtfId).TryGetType((int)code.Functions[0].TypeId, out var f) && f is BtfFunc)
                name = f.Name;
        }
        catch (BpfException) { /* gone, or no access: bpftool says it does not know the name */ }
        return $" {name}/prog_id:{id}";
    }

    /// <summary>bpftool's C signature of a function type ("u32 (struct sock *)"); null where it cannot write one.</summary>
    private string? TrySignature(BtfFuncProto proto, BtfFunc? function)
    {
        var sb = new StringBuilder();
        if (!TypeOnly(proto.ReturnTypeId, sb)) return null;
        sb.Append(function is null ? "(" : function.Name + "(");
        for (int i = 0; i < proto.Parameters.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            var parameter = proto.Parameters[i];
            if (parameter.TypeId == 0)
            {
                sb.Append("...");
                continue;
            }
            if (!TypeOnly(parameter.TypeId, sb)) return null;
            if (parameter.Name.Length > 0) sb.Append(parameter.Name);
            else if (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        }
        if (proto.IsVariadic)
        {
            if (proto.Parameters.Length > 0) sb.Append(", ");
            sb.Append("...");
        }
        sb.Append(')');
        return sb.ToString();
    }

    /// <summary>A type as bpftool writes it in a signature, each part followed by a space.</summary>
    private bool TypeOnly(int typeId, StringBuilder sb)
    {
        switch (spec[typeId])
        {
            case BtfVoid: sb.Append("void "); return true;
            case BtfInt or BtfTypedef or BtfFloat: sb.Append(spec[typeId].Name).Append(' '); return true;
            case BtfStruct s: sb.Append("struct ").Append(s.Name).Append(' '); return true;
            case BtfUnion u: sb.Append("union ").Append(u.Name).Append(' '); return true;
            case BtfEnum e: sb.Append("enum ").Append(e.Name).Append(' '); return true;
            case BtfArray a:
                if (!TypeOnly(a.ElementTypeId, sb)) return false;
                sb.Append('[').Append(a.Length.ToString(CultureInfo.InvariantCulture)).Append(']');
                return true;
            case BtfPointer p:
                if (!TypeOnly(p.TargetId, sb)) return false;
                sb.Append("* ");
                return true;
            case BtfForward f: sb.Append(f.IsUnion ? "union " : "struct ").Append(f.Name).Append(' '); return true;
            case BtfVolatile v: sb.Append("volatile "); return TypeOnly(v.TargetId, sb);
            case BtfConst c: sb.Append("const "); return TypeOnly(c.TargetId, sb);
            case BtfRestrict r: sb.Append("restrict "); return TypeOnly(r.TargetId, sb);
            case BtfFuncProto proto:
                return TrySignature(proto, null) is { } s1 && sb.Append(s1) is not null;
            case BtfFunc func:
                return TrySignature(func.Proto, func) is { } s2 && sb.Append(s2) is not null;
            case BtfVar v:
                if (v.Linkage == BtfLinkage.Static) sb.Append("static ");
                if (!TypeOnly(v.TypeId, sb)) return false;
                sb.Append(' ').Append(v.Name);
                return true;
            case BtfDataSec d: sb.Append("section (\"").Append(d.Name).Append("\") "); return true;
            default: return false;
        }
    }
}
