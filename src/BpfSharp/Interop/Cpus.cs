namespace BpfSharp.Interop;

/// <summary>The CPU sets the kernel reports in sysfs (per-CPU maps size their values by the possible CPUs).</summary>
internal static class Cpus
{
    private static readonly Lazy<int> PossibleCountLazy = new(() => ParseList(File.ReadAllText("/sys/devices/system/cpu/possible")).Max() + 1);

    /// <summary>The number of possible CPUs: the number of values a per-CPU map holds per key.</summary>
    public static int PossibleCount => PossibleCountLazy.Value;

    /// <summary>The online CPUs, read now (CPUs can come and go).</summary>
    public static int[] Online() => ParseList(File.ReadAllText("/sys/devices/system/cpu/online"));

    /// <summary>Parses the kernel's CPU list format: <c>0-3,5,7-8</c>.</summary>
    public static int[] ParseList(string text)
    {
        var cpus = new List<int>();
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = part.IndexOf('-');
            if (dash < 0) { cpus.Add(int.Parse(part)); continue; }
            int from = int.Parse(part[..dash]), to = int.Parse(part[(dash + 1)..]);
            for (int c = from; c <= to; c++) cpus.Add(c);
        }
        return cpus.ToArray();
    }
}
