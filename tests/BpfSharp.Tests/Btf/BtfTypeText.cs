using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Every field of a parsed type as text, read through the public model only, so that two specs can be compared
/// type by type without trusting the writer's own record format.
/// </summary>
internal static class BtfTypeText
{
    public static string Describe(BtfType t) => $"{t.Kind} '{t.Name}' " + t switch
    {
        BtfInt i => $"size={i.Size} enc={i.Encoding} off={i.BitOffset} bits={i.Bits}",
        BtfFloat f => $"size={f.Size}",
        BtfPointer p => $"-> {p.TargetId}",
        BtfArray a => $"[{a.Length}] of {a.ElementTypeId} index {a.IndexTypeId}",
        BtfComposite c => $"size={c.Size} kflag={c.HasBitfieldOffsets} {{{string.Join(", ", c.Members.Select(m => $"{m.Name}:{m.TypeId}@{m.BitOffset}/{m.BitfieldSize}"))}}}",
        BtfEnum e => $"size={e.Size} signed={e.IsSigned} {{{string.Join(", ", e.Values.Select(v => $"{v.Name}={v.Value}"))}}}",
        BtfForward f => $"union={f.IsUnion}",
        BtfTypedef td => $"-> {td.TargetId}",
        BtfTypeTag tt => $"-> {tt.TargetId} attr={tt.IsAttribute}",
        BtfModifier m => $"-> {m.TargetId}",
        BtfDeclTag d => $"-> {d.TargetId} component={d.ComponentIndex} attr={d.IsAttribute}",
        BtfFunc f => $"proto={f.ProtoId} linkage={f.Linkage}",
        BtfFuncProto p => $"ret={p.ReturnTypeId} ({string.Join(", ", p.Parameters.Select(x => $"{x.Name}:{x.TypeId}"))}) variadic={p.IsVariadic}",
        BtfVar v => $"type={v.TypeId} linkage={v.Linkage}",
        BtfDataSec d => $"size={d.Size} {{{string.Join(", ", d.Variables.Select(v => $"{v.TypeId}@{v.Offset}+{v.Size}"))}}}",
        _ => "?",
    };

    /// <summary>Asserts that two specs define the same types under the same ids (their own types only).</summary>
    public static void AssertSameTypes(BtfSpec expected, BtfSpec actual)
    {
        Xunit.Assert.Equal(expected.FirstTypeId, actual.FirstTypeId);
        Xunit.Assert.Equal(expected.Count, actual.Count);
        for (int id = expected.FirstTypeId; id < expected.Count; id++)
        {
            string e = Describe(expected[id]), a = Describe(actual[id]);
            if (e != a) Xunit.Assert.Fail($"type {id} differs:\n expected {e}\n actual   {a}");
        }
    }
}
