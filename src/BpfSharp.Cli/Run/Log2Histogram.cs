namespace BpfSharp.Cli.Run;

/// <summary>
/// A log2 histogram drawn as libbpf-tools and BCC draw one (their <c>print_log2_hist</c>): slot i counts values in
/// [2^i, 2^(i+1)), rows up to the last non-empty slot, a bar of 40 stars scaled to the largest count (20 when
/// there are more than 32 rows, which need wider columns).
/// </summary>
internal static class Log2Histogram
{
    public static void Write(TextWriter o, IReadOnlyList<ulong> counts, string unit)
    {
        int last = -1;
        ulong max = 0;
        for (int i = 0; i < counts.Count; i++)
        {
            if (counts[i] > 0) last = i;
            max = Math.Max(max, counts[i]);
        }
        if (last < 0) return;
        bool narrow = last <= 32;
        int stars = narrow ? 40 : 20, width = narrow ? 10 : 20;
        o.WriteLine($"{new string(' ', narrow ? 5 : 15)}{unit.PadRight(narrow ? 19 : 29)} : count    distribution");
        for (int i = 0; i <= last; i++)
        {
            ulong high = i >= 63 ? ulong.MaxValue : (1UL << (i + 1)) - 1;
            ulong low = (high >> 1) + 1;
            if (low == high) low--; // slot 0 reads "0 -> 1"
            int n = (int)(counts[i] * (ulong)stars / max);
            o.WriteLine($"{low.ToString().PadLeft(width)} -> {high.ToString().PadRight(width)} : {counts[i],-8} |{new string('*', n)}{new string(' ', stars - n)}|");
        }
    }
}
