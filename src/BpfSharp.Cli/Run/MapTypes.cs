using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// The key and value types a BTF-defined map declares: in <c>.maps</c> a map is a variable whose struct has
/// <c>__type(key, T)</c> and <c>__type(value, T)</c> members, each a pointer to the type.
/// </summary>
internal static class MapTypes
{
    public static int? KeyTypeId(BtfSpec btf, string map) => Member(btf, map, "key");

    public static int? ValueTypeId(BtfSpec btf, string map) => Member(btf, map, "value");

    private static int? Member(BtfSpec btf, string map, string member)
    {
        foreach (var sec in btf.Types.OfType<BtfDataSec>())
        {
            if (sec.Name != ".maps") continue;
            foreach (var v in sec.Variables)
            {
                if (btf[v.TypeId] is not BtfVar var || var.Name != map) continue;
                if (btf[btf.SkipModifiers(var.TypeId)] is BtfStruct def && def.TryGetMember(member, out var m)
                    && btf[btf.SkipModifiers(m.TypeId)] is BtfPointer p)
                    return p.TargetId;
                return null;
            }
        }
        return null;
    }
}
