using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace BpfSharp.Btf;

/// <summary>
/// Decodes raw bytes (a map key or value, a ring buffer record) field by field through a BTF type: integers
/// (bitfields included), <c>char</c> arrays as strings, enums by enumerator name, pointers in hex, nested
/// structs, unions, arrays, and data sections (global variables by name). Writes JSON or a compact text form.
/// </summary>
/// <remarks>
/// Bytes are read as little-endian, the byte order of the BPF targets BpfSharp runs on. Output is bounded by the
/// data, not by the type: array elements and struct members that start past the end of the data are not written, and after
/// <see cref="MinValueBudget"/> values (or 8 per byte of data, whichever is more) the rest of each array is one
/// <c>...</c>. Floating-point NaN and infinities are written <c>nan</c>, <c>inf</c>, <c>-inf</c> in text and as
/// the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> in JSON (which has no such numbers). A type
/// nesting deeper than <see cref="MaxDepth"/> steps, or than the JSON writer's <see cref="JsonWriterOptions.MaxDepth"/>,
/// is a <see cref="BpfFormatException"/>.
/// </remarks>
public sealed class BtfValueFormatter(BtfSpec spec)
{
    /// <summary>The BTF whose types the formatter writes values of.</summary>
    public BtfSpec Spec { get; } = spec;

    /// <summary>How many nested steps (a struct's members, a member's value) a walk may take.</summary>
    public const int MaxDepth = 1024;

    /// <summary>Values always written before arrays are cut short with <c>...</c>.</summary>
    public const int MinValueBudget = 4096;

    /// <summary>
    /// The state of one call: values it may still write (bounded by the data's size, so a type declaring 2³¹ elements
    /// of an empty struct cannot make gigabytes of text) and how deep it is.
    /// </summary>
    private struct Walk(int dataLength)
    {
        public long Budget = Math.Max(MinValueBudget, 8L * dataLength);
        public int Depth;
    }

    /// <summary>Writes the value as JSON: objects for structs, unions and data sections, arrays, numbers, strings.</summary>
    /// <exception cref="BpfFormatException">The value nests deeper than <paramref name="writer"/> allows.</exception>
    public void WriteJson(Utf8JsonWriter writer, int typeId, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var walk = new Walk(data.Length);
        WriteJson(writer, typeId, data, bitOffset: 0, bitfieldSize: 0, ref walk);
    }

    /// <summary>
    /// The value as text: <c>{pid=12 comm="bash" flags=[1 2]}</c>; with <paramref name="braces"/> false a top-level
    /// struct's fields are written without the enclosing braces (<c>pid=12 comm="bash"</c>), as a line of output.
    /// </summary>
    public string FormatText(int typeId, ReadOnlySpan<byte> data, bool braces = true)
    {
        var sb = new StringBuilder();
        var walk = new Walk(data.Length);
        AppendText(sb, typeId, data, 0, 0, ref walk, braces);
        return sb.ToString();
    }

    /// <summary>
    /// One step deeper: refused past <see cref="MaxDepth"/>, or earlier when the caller's thread is short of stack,
    /// so that no type (100,000 nested anonymous structs) can overflow the stack.
    /// </summary>
    private static void Enter(ref Walk walk, int id)
    {
        if (++walk.Depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new BpfFormatException("BTF", $"type {id}: the value nests more than {MaxDepth} steps deep, too deep to format");
    }

    private static void StartJson(Utf8JsonWriter w, int id, bool array)
    {
        int max = w.Options.MaxDepth == 0 ? 1000 : w.Options.MaxDepth; // 0 means the writer's default
        if (w.CurrentDepth >= max)
            throw new BpfFormatException("BTF", $"type {id}: the value nests deeper than the JSON writer's {max} levels");
        if (array) w.WriteStartArray(); else w.WriteStartObject();
    }

    private void WriteJson(Utf8JsonWriter w, int id, ReadOnlySpan<byte> data, long bitOffset, int bitfieldSize, ref Walk walk)
    {
        Enter(ref walk, id);
        walk.Budget--;
        WriteJsonValue(w, id, data, bitOffset, bitfieldSize, ref walk);
        walk.Depth--;
    }

    private void WriteJsonValue(Utf8JsonWriter w, int id, ReadOnlySpan<byte> data, long bitOffset, int bitfieldSize, ref Walk walk)
    {
        id = Resolve(id);
        var t = Spec[id];
        switch (t)
        {
            case BtfInt i when bitfieldSize == 0 && IsCharType(i):
                w.WriteNumberValue(ReadInteger(data, bitOffset, 8, i.IsSigned).Signed);
                break;
            case BtfInt i when i.IsBool:
                w.WriteBooleanValue(ReadInteger(data, bitOffset, bitfieldSize != 0 ? bitfieldSize : i.Bits, false).Unsigned != 0);
                break;
            case BtfInt i:
                var v = ReadInteger(data, bitOffset + i.BitOffset, bitfieldSize != 0 ? bitfieldSize : i.Bits, i.IsSigned);
                if (i.IsSigned) w.WriteNumberValue(v.Signed); else w.WriteNumberValue(v.Unsigned);
                break;
            case BtfEnum e:
                var ev = ReadInteger(data, bitOffset, bitfieldSize != 0 ? bitfieldSize : e.Size * 8, e.IsSigned);
                if (EnumName(e, ev.Signed) is { } name) w.WriteStringValue(name);
                else if (e.IsSigned) w.WriteNumberValue(ev.Signed);
                else w.WriteNumberValue(ev.Unsigned);
                break;
            case BtfFloat f:
                double d = ReadFloat(Slice(data, bitOffset, f.Size), f.Size);
                // JSON has no NaN or infinity: the names System.Text.Json itself reads and writes for them.
                if (double.IsFinite(d)) w.WriteNumberValue(d);
                else w.WriteStringValue(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case BtfPointer:
                w.WriteStringValue(FormatPointer(Slice(data, bitOffset, Spec.PointerSize)));
                break;
            case BtfArray a when IsTextElement(a.ElementTypeId):
                w.WriteStringValue(CString(Slice(data, bitOffset, a.Length)));
                break;
            case BtfArray a:
            {
                StartJson(w, id, array: true);
                int elementSize = Spec.SizeOf(a.ElementTypeId);
                int shown = ElementsToShow(a, elementSize, data.Length, bitOffset, walk.Budget);
                for (int k = 0; k < shown; k++)
                    WriteJson(w, a.ElementTypeId, data, bitOffset + k * elementSize * 8L, 0, ref walk);
                if (shown < a.Length) w.WriteStringValue("...");
                w.WriteEndArray();
                break;
            }
            case BtfComposite c:
                StartJson(w, id, array: false);
                WriteMembersJson(w, c, data, bitOffset, ref walk);
                w.WriteEndObject();
                break;
            case BtfDataSec ds:
                StartJson(w, id, array: false);
                foreach (var vsi in ds.Variables)
                {
                    if (Spec[vsi.TypeId] is not BtfVar var || (long)vsi.Offset + vsi.Size > data.Length) continue;
                    w.WritePropertyName(var.Name);
                    WriteJson(w, var.TypeId, data, bitOffset + vsi.Offset * 8L, 0, ref walk);
                }
                w.WriteEndObject();
                break;
            default:
                w.WriteStringValue(Convert.ToHexStringLower(Slice(data, bitOffset, Math.Max(0, data.Length - (int)(bitOffset / 8)))));
                break;
        }
    }

    private void WriteMembersJson(Utf8JsonWriter w, BtfComposite c, ReadOnlySpan<byte> data, long bitOffset, ref Walk walk)
    {
        Enter(ref walk, c.Id);
        foreach (var m in c.Members)
        {
            if (walk.Budget <= 0) break; // the arrays around say "..."
            if (StartsPastTheData(data, bitOffset + m.BitOffset)) continue;
            if (m.IsAnonymous && Spec[Resolve(m.TypeId)] is BtfComposite inner)
            {
                // Members of an anonymous struct or union read as members of the enclosing one, as in C.
                WriteMembersJson(w, inner, data, bitOffset + m.BitOffset, ref walk);
                continue;
            }
            w.WritePropertyName(m.Name);
            WriteJson(w, m.TypeId, data, bitOffset + m.BitOffset, m.BitfieldSize, ref walk);
        }
        walk.Depth--;
    }

    /// <summary>
    /// A member that starts past the end of the data was not sent (a record cut inside an earlier buffer): it is left
    /// out, as array elements past the data are, rather than shown as zeros. One that starts exactly at the end is
    /// written: a flexible array at the end of a whole struct.
    /// </summary>
    private static bool StartsPastTheData(ReadOnlySpan<byte> data, long bitOffset) => bitOffset > data.Length * 8L;

    /// <summary>
    /// How many of an array's elements to write: those that start inside the data, and no more than the budget
    /// left (an element of size 0 starts inside the data forever).
    /// </summary>
    private static int ElementsToShow(BtfArray a, int elementSize, int dataLength, long bitOffset, long budget)
    {
        long present = elementSize == 0 ? a.Length : Math.Max(0, (dataLength * 8L - bitOffset + elementSize * 8L - 1) / (elementSize * 8L));
        return (int)Math.Min(Math.Min(a.Length, present), Math.Max(0, budget));
    }

    private void AppendText(StringBuilder sb, int id, ReadOnlySpan<byte> data, long bitOffset, int bitfieldSize, ref Walk walk, bool braces = true)
    {
        Enter(ref walk, id);
        walk.Budget--;
        AppendTextValue(sb, id, data, bitOffset, bitfieldSize, ref walk, braces);
        walk.Depth--;
    }

    private void AppendTextValue(StringBuilder sb, int id, ReadOnlySpan<byte> data, long bitOffset, int bitfieldSize, ref Walk walk, bool braces)
    {
        id = Resolve(id);
        var t = Spec[id];
        switch (t)
        {
            case BtfInt i when bitfieldSize == 0 && IsCharType(i):
                sb.Append(ReadInteger(data, bitOffset, 8, i.IsSigned).Signed.ToString(CultureInfo.InvariantCulture));
                break;
            case BtfInt i when i.IsBool:
                sb.Append(ReadInteger(data, bitOffset, bitfieldSize != 0 ? bitfieldSize : i.Bits, false).Unsigned != 0 ? "true" : "false");
                break;
            case BtfInt i:
                var v = ReadInteger(data, bitOffset + i.BitOffset, bitfieldSize != 0 ? bitfieldSize : i.Bits, i.IsSigned);
                sb.Append(i.IsSigned ? v.Signed.ToString(CultureInfo.InvariantCulture) : v.Unsigned.ToString(CultureInfo.InvariantCulture));
                break;
            case BtfEnum e:
                var ev = ReadInteger(data, bitOffset, bitfieldSize != 0 ? bitfieldSize : e.Size * 8, e.IsSigned);
                sb.Append(EnumName(e, ev.Signed) ?? (e.IsSigned ? ev.Signed.ToString(CultureInfo.InvariantCulture) : ev.Unsigned.ToString(CultureInfo.InvariantCulture)));
                break;
            case BtfFloat f:
                double d = ReadFloat(Slice(data, bitOffset, f.Size), f.Size);
                // As C's printf("%g") writes them.
                sb.Append(double.IsNaN(d) ? "nan" : double.IsPositiveInfinity(d) ? "inf" : double.IsNegativeInfinity(d) ? "-inf"
                    : d.ToString(CultureInfo.InvariantCulture));
                break;
            case BtfPointer:
                sb.Append(FormatPointer(Slice(data, bitOffset, Spec.PointerSize)));
                break;
            case BtfArray a when IsTextElement(a.ElementTypeId):
                AppendQuoted(sb, CString(Slice(data, bitOffset, a.Length)));
                break;
            case BtfArray a:
            {
                sb.Append('[');
                int elementSize = Spec.SizeOf(a.ElementTypeId);
                int shown = ElementsToShow(a, elementSize, data.Length, bitOffset, walk.Budget);
                for (int k = 0; k < shown; k++)
                {
                    if (k > 0) sb.Append(' ');
                    AppendText(sb, a.ElementTypeId, data, bitOffset + k * elementSize * 8L, 0, ref walk);
                }
                if (shown < a.Length) sb.Append(shown > 0 ? " ..." : "...");
                sb.Append(']');
                break;
            }
            case BtfComposite c:
                if (braces) sb.Append('{');
                AppendMembersText(sb, c, data, bitOffset, first: true, ref walk);
                if (braces) sb.Append('}');
                break;
            case BtfDataSec ds:
                if (braces) sb.Append('{');
                bool firstVar = true;
                foreach (var vsi in ds.Variables)
                {
                    if (Spec[vsi.TypeId] is not BtfVar var || (long)vsi.Offset + vsi.Size > data.Length) continue;
                    if (!firstVar) sb.Append(' ');
                    firstVar = false;
                    sb.Append(var.Name).Append('=');
                    AppendText(sb, var.TypeId, data, bitOffset + vsi.Offset * 8L, 0, ref walk);
                }
                if (braces) sb.Append('}');
                break;
            default:
                sb.Append("0x").Append(Convert.ToHexStringLower(Slice(data, bitOffset, Math.Max(0, data.Length - (int)(bitOffset / 8)))));
                break;
        }
    }

    private bool AppendMembersText(StringBuilder sb, BtfComposite c, ReadOnlySpan<byte> data, long bitOffset, bool first, ref Walk walk)
    {
        Enter(ref walk, c.Id);
        foreach (var m in c.Members)
        {
            if (walk.Budget <= 0) break; // the arrays around say "..."
            if (StartsPastTheData(data, bitOffset + m.BitOffset)) continue;
            if (m.IsAnonymous && Spec[Resolve(m.TypeId)] is BtfComposite inner)
            {
                first = AppendMembersText(sb, inner, data, bitOffset + m.BitOffset, first, ref walk);
                continue;
            }
            if (!first) sb.Append(' ');
            first = false;
            sb.Append(m.Name).Append('=');
            AppendText(sb, m.TypeId, data, bitOffset + m.BitOffset, m.BitfieldSize, ref walk);
        }
        walk.Depth--;
        return first;
    }

    /// <summary>Through typedefs, qualifiers, tags and variables to the type that decides the layout.</summary>
    private int Resolve(int id)
    {
        while (true)
        {
            switch (Spec[id])
            {
                case BtfTypedef td: id = td.TargetId; break;
                case BtfModifier m: id = m.TargetId; break;
                case BtfVar v: id = v.TypeId; break;
                default: return id;
            }
        }
    }

    /// <summary>
    /// Whether a value of type <paramref name="typeId"/> is written as a string: an array (through typedefs and
    /// qualifiers) whose element is <c>char</c>, by the rule below.
    /// </summary>
    public bool WritesAsText(int typeId) => Spec[Resolve(typeId)] is BtfArray a && IsTextElement(a.ElementTypeId);

    /// <summary>
    /// An array is text when its element is <c>char</c> itself (through qualifiers, not typedefs), as bpftool decides:
    /// <c>__u8 addr[16]</c> or <c>unsigned char key[32]</c> are bytes, which a NUL does not end.
    /// </summary>
    private bool IsTextElement(int elementId)
    {
        var t = Spec[elementId];
        while (t is BtfModifier m) t = m.Target;
        return t is BtfInt { Size: 1 } i && (i.IsChar || i.Name == "char");
    }

    private static bool IsCharType(BtfType t) =>
        t is BtfInt { Size: 1 } i && (i.IsChar || i.Name is "char" or "signed char" or "unsigned char");

    // Enumerator names by value for enums too long to search per value (65,535 enumerators in an array of a
    // million elements would be quadratic); the first enumerator of a value wins, as in the linear search.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Dictionary<ulong, string>> _enumNames = new();

    private string? EnumName(BtfEnum e, long value)
    {
        ulong mask = e.Size >= 8 ? ulong.MaxValue : (1UL << (e.Size * 8)) - 1;
        if (e.Values.Length <= 16)
        {
            foreach (var v in e.Values)
                if ((v.UnsignedValue & mask) == ((ulong)value & mask)) return v.Name;
            return null;
        }
        var names = _enumNames.GetOrAdd(e.Id, _ =>
        {
            var byValue = new Dictionary<ulong, string>(e.Values.Length);
            foreach (var v in e.Values) byValue.TryAdd(v.UnsignedValue & mask, v.Name);
            return byValue;
        });
        return names.GetValueOrDefault((ulong)value & mask);
    }

    private readonly record struct Integer(long Signed, ulong Unsigned);

    /// <summary>Reads <paramref name="bits"/> bits at <paramref name="bitOffset"/> (little-endian), sign-extending when asked.</summary>
    private static Integer ReadInteger(ReadOnlySpan<byte> data, long bitOffset, int bits, bool signed)
    {
        if (bits <= 0 || bitOffset / 8 >= data.Length) return default;
        int first = (int)(bitOffset / 8);
        int shift = (int)(bitOffset % 8);
        if (bits > 64) bits = 64; // 128-bit integers: the low half
        int byteCount = (shift + bits + 7) / 8;
        Span<byte> buffer = stackalloc byte[16];
        buffer.Clear();
        int available = Math.Max(0, Math.Min(byteCount, data.Length - first));
        if (available > 0) data.Slice(first, available).CopyTo(buffer);
        var raw = BinaryPrimitives.ReadUInt128LittleEndian(buffer);
        ulong value = (ulong)(raw >> shift);
        if (bits < 64) value &= (1UL << bits) - 1;
        long signedValue = (long)value;
        if (signed && bits < 64 && (value & (1UL << (bits - 1))) != 0) signedValue = (long)(value | ~((1UL << bits) - 1));
        return new Integer(signed ? signedValue : (long)value, signed ? (ulong)signedValue : value);
    }

    private static double ReadFloat(ReadOnlySpan<byte> bytes, int size) => size switch
    {
        2 when bytes.Length >= 2 => (double)BinaryPrimitives.ReadHalfLittleEndian(bytes),
        4 when bytes.Length >= 4 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        8 when bytes.Length >= 8 => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        _ => double.NaN,
    };

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> data, long bitOffset, int size)
    {
        if (bitOffset / 8 >= data.Length) return [];
        int start = (int)(bitOffset / 8);
        return data.Slice(start, Math.Min(size, data.Length - start));
    }

    private static string FormatPointer(ReadOnlySpan<byte> bytes)
    {
        Span<byte> buffer = stackalloc byte[8];
        buffer.Clear();
        bytes[..Math.Min(8, bytes.Length)].CopyTo(buffer);
        return "0x" + BinaryPrimitives.ReadUInt64LittleEndian(buffer).ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>The bytes up to the first NUL, as UTF-8.</summary>
    private static string CString(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static void AppendQuoted(StringBuilder sb, string text)
    {
        sb.Append('"');
        foreach (char ch in text)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(ch)) sb.Append($"\\x{(int)ch:x2}");
                    else sb.Append(ch);
                    break;
            }
        }
        sb.Append('"');
    }
}
