using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// <c>--hist VARIABLE</c> for a histogram a tool keeps in a global array instead of a map (funclatency's
/// <c>__u32 hist[25]</c> in .bss): drawn from the global data map's one value, at the variable's offset.
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
            if (btf[btf.SkipModifiers(v.TypeId)] is not BtfArray a || btf[btf.SkipModifiers(a.ElementTypeId)] is not BtfInt { Size: 4 or 8 } element
                || v.Offset + a.Length * element.Size > value.Length)
                continue;
            var counts = new ulong[a.Length];
            for (int i = 0; i < counts.Length; i++)
            {
                int at = v.Offset + i * element.Size;
                counts[i] = element.Size == 4 ? BitConverter.ToUInt32(value, at) : BitConverter.ToUInt64(value, at);
            }
            o.WriteLine($"  {v.Name}");
            Log2Histogram.Write(o, counts, histograms[v.Name]);
            drawn = true;
        }
        return drawn;
    }
}
