using BpfSharp.Btf;

namespace BpfSharp.Cli.Output;

/// <summary>Short C spellings of BTF types for tables ("const volatile __u32", "struct pair", "u64[4]").</summary>
internal static class BtfTypeNames
{
    public static string Describe(BtfSpec btf, int id, int depth = 0)
    {
        if (depth > 16) return "...";
        var t = btf[id];
        return t switch
        {
            BtfVoid => "void",
            BtfVar v => Describe(btf, v.TypeId, depth + 1),
            BtfConst c => "const " + Describe(btf, c.TargetId, depth + 1),
            BtfVolatile v => "volatile " + Describe(btf, v.TargetId, depth + 1),
            BtfModifier m => Describe(btf, m.TargetId, depth + 1),
            BtfPointer p => Describe(btf, p.TargetId, depth + 1) + " *",
            BtfArray a => $"{Describe(btf, a.ElementTypeId, depth + 1)}[{a.Length}]",
            BtfStruct s => "struct " + (s.IsAnonymous ? "{...}" : s.Name),
            BtfUnion u => "union " + (u.IsAnonymous ? "{...}" : u.Name),
            BtfEnum e => "enum " + (e.IsAnonymous ? "{...}" : e.Name),
            BtfFuncProto => "function",
            _ => t.Name,
        };
    }
}
