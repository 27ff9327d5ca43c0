using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// <c>--hist VARIABLE</c> for a histogram a tool keeps in a global array instead of a map (funclatency's
/// <c>__u32 hist[25]</c> in .bss): drawn from the global data map's one value, at the variable's offset. An array
/// of histograms (fsdist's <c>struct hist hists[MAX_OP]</c>, one per operation, each a struct holding its slots)
/// is drawn one per element that counted anything, headed by its index (<c>hists[1]</c>), as the tools skip empty ones.
/// </summary>
internal static class VariableHistograms
{
    /// <summary>Draws the requested array variables that <paramref name="map"/> holds; false when it holds none.</summary>
    public static bool Draw(BpfObject obj, BpfObjectMap map, byte[] value, IReadOnlyDictionary<string, string> histograms, TextWriter o)
    {
        if (obj.Btf is not { } btf) return false;
        bool drawn = false;
        foreach (var v in obj.Variables.Values.Where(v => v.Map == map && histograms.ContainsKey(v.Name)).OrderBy(v => v.Offset))
        {
            if (btf[btf.SkipModifiers(v.TypeId)] is not BtfArray a || v.Offset + btf.SizeOf(v.TypeId) > value.Length) continue;
            if (btf[btf.SkipModifiers(a.ElementTypeId)] is BtfInt { Size: 4 or 8 } element)
            {
                o.WriteLine($"  {v.Name}");
                Log2Histogram.Write(o, Counts(value, v.Offset, a.Length, element.Size), histograms[v.Name]);
                drawn = true;
                continue;
            }
            if (btf[btf.SkipModifiers(a.ElementTypeId)] is not BtfStruct each) continue;
            var slots = each.Members.FirstOrDefault(x => btf[btf.SkipModifiers(x.TypeId)] is BtfArray s && btf[btf.SkipModifiers(s.ElementTypeId)] is BtfInt { Size: 4 or 8 });
            if (slots.Name is null) continue;
            var slotArray = (BtfArray)btf[btf.SkipModifiers(slots.TypeId)];
            int slotSize = ((BtfInt)btf[btf.SkipModifiers(slotArray.ElementTypeId)]).Size, stride = btf.SizeOf(a.ElementTypeId);
            for (int i = 0; i < a.Length; i++)
            {
                var counts = Counts(value, v.Offset + i * stride + slots.ByteOffset, slotArray.Length, slotSize);
                if (counts.All(c => c == 0)) continue;
                o.WriteLine($"  {v.Name}[{i}]");
                Log2Histogram.Write(o, counts, histograms[v.Name]);
            }
            drawn = true;
        }
        return drawn;
    }

    private static ulong[] Counts(byte[] value, int offset, int length, int size)
    {
        var counts = new ulong[length];
        for (int i = 0; i < length; i++)
        {
            int at = offset + i * size;
            counts[i] = size == 4 ? BitConverter.ToUInt32(value, at) : BitConverter.ToUInt64(value, at);
        }
        return counts;
    }
}
