using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// A function's C signature from the program's BTF as bpftool 7.1 prints it above the function's first instruction
/// (<c>btf_dumper_type_only</c>): <c>int handle_exec(struct trace_event_raw_sched_process_exec * ctx)</c>, a space
/// wherever a type ends, and nothing at all when the text reaches 1024 bytes or meets a kind bpftool does not print
/// (type and declaration tags).
/// </summary>
internal static class BpftoolSignature
{
    private const int Limit = 1024; // bpftool's func_sig buffer

    public static string Of(BtfSpec btf, int typeId)
    {
        var text = new StringBuilder();
        return Append(btf, typeId, text) ? text.ToString() : "";
    }

    private static bool Append(BtfSpec btf, int id, StringBuilder s)
    {
        if (id == 0) return Put(s, "void ");
        if (!btf.TryGetType(id, out var t)) return false;
        return t switch
        {
            BtfInt or BtfTypedef or BtfFloat => Put(s, t.Name + " "),
            BtfStruct => Put(s, $"struct {t.Name} "),
            BtfUnion => Put(s, $"union {t.Name} "),
            BtfEnum => Put(s, $"enum {t.Name} "),
            BtfArray a => Append(btf, a.ElementTypeId, s) && Put(s, $"[{a.Length}]"),
            BtfPointer p => Append(btf, p.TargetId, s) && Put(s, "* "),
            BtfForward f => Put(s, $"{(f.IsUnion ? "union" : "struct")} {t.Name} "),
            BtfVolatile m => Put(s, "volatile ") && Append(btf, m.TargetId, s),
            BtfConst m => Put(s, "const ") && Append(btf, m.TargetId, s),
            BtfRestrict m => Put(s, "restrict ") && Append(btf, m.TargetId, s),
            BtfFuncProto proto => Function(btf, proto, null, s),
            BtfFunc func => btf.TryGetType(func.ProtoId, out var proto) && proto is BtfFuncProto fp && Function(btf, fp, func.Name, s),
            BtfVar v => (v.Linkage != BtfLinkage.Static || Put(s, "static ")) && Append(btf, v.TypeId, s) && Put(s, " " + v.Name),
            BtfDataSec => Put(s, $"section (\"{t.Name}\") "),
            _ => false,
        };
    }

    private static bool Function(BtfSpec btf, BtfFuncProto proto, string? name, StringBuilder s)
    {
        if (!Append(btf, proto.ReturnTypeId, s) || !Put(s, name is null ? "(" : name + "(")) return false;
        for (int i = 0; i < proto.Parameters.Length + (proto.IsVariadic ? 1 : 0); i++)
        {
            if (i > 0 && !Put(s, ", ")) return false;
            if (i == proto.Parameters.Length)
            {
                if (!Put(s, "...")) return false;
                continue;
            }
            var p = proto.Parameters[i];
            if (!Append(btf, p.TypeId, s)) return false;
            if (p.Name.Length > 0)
            {
                if (!Put(s, p.Name)) return false;
            }
            else if (s.Length > 0 && s[^1] == ' ')
            {
                s.Length--; // a prototype's unnamed parameter: no space after its type
            }
        }
        return Put(s, ")");
    }

    // bpftool's BTF_PRINT_ARG: fails once the text would fill the buffer (counted in UTF-8 bytes).
    private static bool Put(StringBuilder s, string text)
    {
        s.Append(text);
        return Encoding.UTF8.GetByteCount(s.ToString()) < Limit;
    }
}
