using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>
/// When a program was loaded: the kernel's <c>load_time</c> (nanoseconds since boot, CLOCK_BOOTTIME), and the same
/// instant on the wall clock, as bpftool shows it (<c>loaded_at</c>).
/// </summary>
public static class ProgramLoadTime
{
    /// <summary>The time since boot at which <paramref name="program"/> was loaded.</summary>
    public static TimeSpan GetLoadTimeSinceBoot(this BpfProgram program)
    {
        var info = Bpf.GetInfo<BpfProgInfoRaw>(program.Handle, $"program \"{program.Name}\"");
        return TimeSpan.FromTicks((long)(info.load_time / 100));
    }

    /// <summary>The wall-clock time at which <paramref name="program"/> was loaded (boot time taken from now).</summary>
    public static DateTimeOffset GetLoadedAt(this BpfProgram program)
    {
        var sinceBoot = program.GetLoadTimeSinceBoot();
        var now = DateTimeOffset.UtcNow;
        return now - (TimeSinceBoot() - sinceBoot);
    }

    /// <summary>CLOCK_BOOTTIME, from the first field of <c>/proc/uptime</c> (hundredths of a second).</summary>
    private static TimeSpan TimeSinceBoot()
    {
        string text = File.ReadAllText("/proc/uptime");
        return TimeSpan.FromSeconds(double.Parse(text.AsSpan(0, text.IndexOf(' ')), System.Globalization.CultureInfo.InvariantCulture));
    }
}
