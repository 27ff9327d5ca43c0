using System.Globalization;
using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Renders a spec the way <c>bpftool btf dump ... format raw</c> prints it, so that bpftool (libbpf's reading of
/// the same blob) can serve as an independent witness, line by line.
/// </summary>
internal static class BtfRawDump
{
    public static IEnumerable<string> Lines(BtfSpec spec)
    {
        for (int id = spec.FirstTypeId; id < spec.Count; id++)
        {
            foreach (var line in Lines(spec, id))
                yield return line;
        }
    }

    /// <summary>The lines of one type: its own and those of its members, values, parameters or variables.</summary>
    public static IEnumerable<string> Lines(BtfSpec spec, int id)
    {
        var sb = new StringBuilder();
        var t = spec[id];
        sb.Append(CultureInfo.InvariantCulture, $"[{id}] {KindName(t.Kind)} '{Name(t.Name)}'");
        var nested = new List<string>();
        switch (t)
        {
            case BtfInt i:
                sb.Append(CultureInfo.InvariantCulture, $" size={i.Size} bits_offset={i.BitOffset} nr_bits={i.Bits} encoding={IntEncoding(i.Encoding)}");
                break;
            case BtfPointer p: sb.Append(CultureInfo.InvariantCulture, $" type_id={p.TargetId}"); break;
            case BtfTypedef td: sb.Append(CultureInfo.InvariantCulture, $" type_id={td.TargetId}"); break;
            case BtfModifier m: sb.Append(CultureInfo.InvariantCulture, $" type_id={m.TargetId}"); break;
            case BtfArray a:
                sb.Append(CultureInfo.InvariantCulture, $" type_id={a.ElementTypeId} index_type_id={a.IndexTypeId} nr_elems={a.Length}");
                break;
            case BtfComposite c:
                sb.Append(CultureInfo.InvariantCulture, $" size={c.Size} vlen={c.Members.Length}");
                foreach (var m in c.Members)
                {
                    nested.Add(string.Create(CultureInfo.InvariantCulture, $"\t'{Name(m.Name)}' type_id={m.TypeId} bits_offset={m.BitOffset}")
                        + (m.BitfieldSize != 0 ? string.Create(CultureInfo.InvariantCulture, $" bitfield_size={m.BitfieldSize}") : ""));
                }
                break;
            case BtfEnum e:
                sb.Append(CultureInfo.InvariantCulture, $" encoding={(e.IsSigned ? "SIGNED" : "UNSIGNED")} size={e.Size} vlen={e.Values.Length}");
                foreach (var v in e.Values)
                {
                    string value = (e.Is64Bit, e.IsSigned) switch
                    {
                        (false, true) => v.Value.ToString(CultureInfo.InvariantCulture),
                        (false, false) => ((uint)v.Value).ToString(CultureInfo.InvariantCulture),
                        (true, true) => v.Value.ToString(CultureInfo.InvariantCulture) + "LL",
                        (true, false) => v.UnsignedValue.ToString(CultureInfo.InvariantCulture) + "ULL",
                    };
                    nested.Add($"\t'{Name(v.Name)}' val={value}");
                }
                break;
            case BtfForward f: sb.Append($" fwd_kind={(f.IsUnion ? "union" : "struct")}"); break;
            case BtfFunc f: sb.Append(CultureInfo.InvariantCulture, $" type_id={f.ProtoId} linkage={Linkage(f.Linkage)}"); break;
            case BtfFuncProto fp:
                sb.Append(CultureInfo.InvariantCulture, $" ret_type_id={fp.ReturnTypeId} vlen={fp.Parameters.Length + (fp.IsVariadic ? 1 : 0)}");
                foreach (var p in fp.Parameters)
                    nested.Add(string.Create(CultureInfo.InvariantCulture, $"\t'{Name(p.Name)}' type_id={p.TypeId}"));
                if (fp.IsVariadic)
                    nested.Add("\t'(anon)' type_id=0");
                break;
            case BtfVar v: sb.Append(CultureInfo.InvariantCulture, $" type_id={v.TypeId}, linkage={Linkage(v.Linkage)}"); break;
            case BtfDataSec d:
                sb.Append(CultureInfo.InvariantCulture, $" size={d.Size} vlen={d.Variables.Length}");
                foreach (var v in d.Variables)
                {
                    nested.Add(string.Create(CultureInfo.InvariantCulture,
                        $"\ttype_id={v.TypeId} offset={v.Offset} size={v.Size} ({KindName(spec.GetKind(v.TypeId))} '{Name(spec.GetName(v.TypeId))}')"));
                }
                break;
            case BtfFloat fl: sb.Append(CultureInfo.InvariantCulture, $" size={fl.Size}"); break;
            case BtfDeclTag dt: sb.Append(CultureInfo.InvariantCulture, $" type_id={dt.TargetId} component_idx={dt.ComponentIndex}"); break;
        }
        yield return sb.ToString();
        foreach (var line in nested)
            yield return line;
    }

    private static string Name(string name) => name.Length == 0 ? "(anon)" : name;

    private static string KindName(BtfKind kind) => kind switch
    {
        BtfKind.Pointer => "PTR",
        BtfKind.Forward => "FWD",
        BtfKind.FuncProto => "FUNC_PROTO",
        BtfKind.DataSec => "DATASEC",
        BtfKind.DeclTag => "DECL_TAG",
        BtfKind.TypeTag => "TYPE_TAG",
        _ => kind.ToString().ToUpperInvariant(),
    };

    private static string IntEncoding(BtfIntEncoding encoding) => encoding switch
    {
        BtfIntEncoding.None => "(none)",
        BtfIntEncoding.Signed => "SIGNED",
        BtfIntEncoding.Char => "CHAR",
        BtfIntEncoding.Bool => "BOOL",
        _ => "UNKN",
    };

    private static string Linkage(BtfLinkage linkage) => linkage switch
    {
        BtfLinkage.Static => "static",
        BtfLinkage.Global => "global",
        BtfLinkage.Extern => "extern",
        _ => "(unknown)",
    };
}
