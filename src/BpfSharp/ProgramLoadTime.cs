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

    /// <summary>
    /// The wall-clock time at which <paramref name="program"/> was loaded: <paramref name="bootTime"/> (by default
    /// <see cref="GetBootTime"/> now; pass it once for many programs) plus the load time since boot.
    /// </summary>
    public static DateTimeOffset GetLoadedAt(this BpfProgram program, DateTimeOffset? bootTime = null) =>
        (bootTime ?? GetBootTime()) + program.GetLoadTimeSinceBoot();

    /// <summary>The wall-clock time of boot: now less CLOCK_BOOTTIME, read from <c>/proc/uptime</c> (hundredths of a second).</summary>
    public static DateTimeOffset GetBootTime()
    {
        string text = File.ReadAllText("/proc/uptime");
        var sinceBoot = TimeSpan.FromSeconds(double.Parse(text.AsSpan(0, text.IndexOf(' ')), System.Globalization.CultureInfo.InvariantCulture));
        return DateTimeOffset.UtcNow - sinceBoot;
    }
}
