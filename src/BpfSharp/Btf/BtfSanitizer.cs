namespace BpfSharp.Btf;

/// <summary>
/// Rewrites an object's BTF for a kernel that lacks some BTF kinds, as libbpf does before <c>BPF_BTF_LOAD</c>: each
/// type keeps its id (map key/value ids, func info and struct_ops refer to them), only its kind changes to one with
/// the same size, so what the kernel learns about layouts stays true.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>DECL_TAG (5.16)</term><description>an anonymous 1-byte INT: nothing refers to a tag.</description></item>
/// <item><term>TYPE_TAG (5.17)</term><description>an anonymous CONST of the same target: a qualifier that does not change the layout.</description></item>
/// <item><term>ENUM64 (6.0)</term><description>a UNION of its size whose members, named after the enumerators, are one 1-byte INT added at the end; an ENUM loses its signedness flag.</description></item>
/// <item><term>FLOAT (5.13)</term><description>an anonymous empty STRUCT of the same size.</description></item>
/// <item><term>global FUNC (5.6)</term><description>a static FUNC.</description></item>
/// <item><term>FUNC, FUNC_PROTO (5.0)</term><description>a TYPEDEF of an ENUM whose enumerators are the parameters.</description></item>
/// <item><term>VAR, DATASEC (5.2)</term><description>a 1-byte INT, and a STRUCT of the section's size with a member per variable ('.' and '?' in the name become '_').</description></item>
/// <item><term>DATASEC named from '?' (6.5)</term><description>the '?' becomes '_'.</description></item>
/// </list>
/// </remarks>
internal static class BtfSanitizer
{
    private const string Enum64Placeholder = "enum64_placeholder";

    /// <summary>The blob the kernel can take: <paramref name="blob"/> itself when nothing in it needs a rewrite.</summary>
    public static byte[] Sanitize(byte[] blob, BtfKindSupport support)
    {
        if (support == BtfKindSupport.Everything) return blob;
        BtfSpec spec;
        try
        {
            spec = BtfSpec.Parse(blob);
        }
        catch (BpfFormatException)
        {
            // This reader is stricter than some kernels (DATASEC entries in offset order): let the kernel judge.
            return blob;
        }
        return spec.Types.Any(t => NeedsRewrite(t, support)) ? Rewrite(spec, support).Build() : blob;
    }

    public static bool NeedsRewrite(BtfType type, BtfKindSupport s) => type switch
    {
        // A tag on a variable would tag the INT the variable becomes, which the kernel refuses.
        BtfDeclTag d => !s.DeclTag || (!s.DataSec && d.Target is BtfVar),
        BtfTypeTag => !s.TypeTag,
        BtfEnum e => !s.Enum64 && (e.Is64Bit || e.IsSigned),
        BtfFloat => !s.Float,
        BtfFunc f => !s.Func || (!s.GlobalFunc && f.Linkage == BtfLinkage.Global),
        BtfFuncProto => !s.Func,
        BtfVar => !s.DataSec,
        BtfDataSec d => !s.DataSec || (!s.QuestionMarkDataSec && d.Name.StartsWith('?')),
        _ => false,
    };

    /// <summary>Every type of <paramref name="spec"/> at its id, rewritten where <paramref name="support"/> says the kernel lacks its kind.</summary>
    public static BtfBuilder Rewrite(BtfSpec spec, BtfKindSupport support)
    {
        // The object's line info points into its string section: that section stays as it is.
        var b = BtfBuilder.WithStringsOf(spec);
        // The placeholder goes after every existing type, so it is the first id past them.
        int placeholder = spec.Count;
        bool placeholderUsed = false;
        foreach (var t in spec.Types)
        {
            if (t.Spec != spec) continue; // a base type
            if (!NeedsRewrite(t, support))
            {
                b.Add(t);
                continue;
            }
            switch (t)
            {
                case BtfDeclTag:
                    b.AddInt("", 1);
                    break;
                case BtfVar v:
                    b.AddInt(v.Name, 1);
                    break;
                case BtfTypeTag tag:
                    b.AddConst(tag.TargetId);
                    break;
                case BtfEnum { Is64Bit: false } e:
                    // The signedness flag came with ENUM64; the values keep their 32 bits.
                    b.AddEnum(e.Name, e.Size, e.Values.Select(v => new BtfEnumValue(v.Name, (uint)v.Value)).ToArray());
                    break;
                case BtfEnum e:
                    placeholderUsed = true;
                    b.AddUnion(e.Name, e.Size, e.Values.Select(v => new BtfMember(v.Name, placeholder, 0, 0)).ToArray());
                    break;
                case BtfFloat f:
                    b.AddStruct("", f.Size, []);
                    break;
                case BtfFunc f when support.Func:
                    b.AddFunc(f.Name, f.ProtoId, BtfLinkage.Static);
                    break;
                case BtfFunc f:
                    b.AddTypedef(f.Name, f.ProtoId);
                    break;
                case BtfFuncProto p:
                    // An ENUM's enumerators need names: an unnamed parameter gets its position.
                    b.AddEnum("", 4, p.Parameters.Select((x, i) => new BtfEnumValue(x.Name.Length > 0 ? x.Name : $"_{i}", i)).ToArray());
                    break;
                case BtfDataSec d when support.DataSec:
                    b.AddDataSec("_" + d.Name[1..], d.Size, d.Variables);
                    break;
                case BtfDataSec d:
                    b.AddStruct(d.Name.Replace('.', '_').Replace('?', '_'), d.Size, d.Variables
                        .OrderBy(v => v.Offset)
                        .Select(v => new BtfMember(spec.GetName(v.TypeId), v.TypeId, v.Offset * 8, 0)).ToArray());
                    break;
                default:
                    throw new InvalidOperationException($"{t}: no rewrite for this kind");
            }
        }
        if (placeholderUsed) b.AddInt(Enum64Placeholder, 1);
        return b;
    }
}
