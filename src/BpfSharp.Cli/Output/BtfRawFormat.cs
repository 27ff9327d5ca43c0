using System.Globalization;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Output;

/// <summary>
/// bpftool's <c>btf dump ... format raw</c>, character for character: one line per type ("[ID] KIND 'NAME'" and the
/// kind's fields), members, enumerators, parameters and section variables on tab-indented lines below it. An empty name
/// is "(anon)", as bpftool prints it.
/// </summary>
internal static class BtfRawFormat
{
    public static void Write(BtfSpec spec, TextWriter writer)
    {
        foreach (var t in spec.Types)
        {
            writer.Write(t.ToString());
            writer.Write(Fields(spec, t));
            writer.Write('\n');
        }
    }

    private static string Name(string name) => name.Length == 0 ? "(anon)" : name;

    private static string Linkage(BtfLinkage linkage) => linkage switch
    {
        BtfLinkage.Static => "static",
        BtfLinkage.Global => "global",
        BtfLinkage.Extern => "extern",
        _ => "(unknown)",
    };

    private static string Fields(BtfSpec spec, BtfType t) => t switch
    {
        BtfInt i => I($" size={i.Size} bits_offset={i.BitOffset} nr_bits={i.Bits} encoding={(i.IsSigned ? "SIGNED" : i.IsChar ? "CHAR" : i.IsBool ? "BOOL" : "(none)")}"),
        BtfFloat f => I($" size={f.Size}"),
        BtfPointer p => I($" type_id={p.TargetId}"),
        BtfArray a => I($" type_id={a.ElementTypeId} index_type_id={a.IndexTypeId} nr_elems={a.Length}"),
        BtfComposite c => I($" size={c.Size} vlen={c.Members.Length}") + string.Concat(c.Members.Select(m =>
            I($"\n\t'{Name(m.Name)}' type_id={m.TypeId} bits_offset={m.BitOffset}") + (m.IsBitfield ? I($" bitfield_size={m.BitfieldSize}") : ""))),
        BtfEnum e => I($" encoding={(e.IsSigned ? "SIGNED" : "UNSIGNED")} size={e.Size} vlen={e.Values.Length}") + string.Concat(e.Values.Select(v => $"\n\t'{Name(v.Name)}' val={EnumValue(e, v)}")),
        BtfForward f => $" fwd_kind={(f.IsUnion ? "union" : "struct")}",
        BtfTypedef td => I($" type_id={td.TargetId}"),
        BtfModifier m => I($" type_id={m.TargetId}"),
        BtfFunc fn => I($" type_id={fn.ProtoId} linkage={Linkage(fn.Linkage)}"),
        BtfFuncProto fp => I($" ret_type_id={fp.ReturnTypeId} vlen={fp.Parameters.Length + (fp.IsVariadic ? 1 : 0)}")
            + string.Concat(fp.Parameters.Select(p => I($"\n\t'{Name(p.Name)}' type_id={p.TypeId}")))
            + (fp.IsVariadic ? "\n\t'(anon)' type_id=0" : ""),
        BtfVar v => I($" type_id={v.TypeId}, linkage={Linkage(v.Linkage)}"),
        BtfDataSec ds => I($" size={ds.Size} vlen={ds.Variables.Length}") + string.Concat(ds.Variables.Select(v =>
            I($"\n\ttype_id={v.TypeId} offset={v.Offset} size={v.Size} ({KindAndName(spec, v.TypeId)})"))),
        BtfDeclTag dt => I($" type_id={dt.TargetId} component_idx={dt.ComponentIndex}"),
        _ => "",
    };

    /// <summary>"VAR 'name'" for a section variable, from the type's own line.</summary>
    private static string KindAndName(BtfSpec spec, int id)
    {
        string line = spec[id].ToString();
        return line[(line.IndexOf(']') + 2)..];
    }

    /// <summary>bpftool prints 32-bit enumerators as C ints (signed or not), 64-bit ones with an LL or ULL suffix.</summary>
    private static string EnumValue(BtfEnum e, BtfEnumValue v) => (e.Is64Bit, e.IsSigned) switch
    {
        (true, true) => I($"{v.Value}LL"),
        (true, false) => I($"{v.UnsignedValue}ULL"),
        (false, true) => I($"{(int)v.Value}"),
        (false, false) => I($"{(uint)v.UnsignedValue}"),
    };

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
