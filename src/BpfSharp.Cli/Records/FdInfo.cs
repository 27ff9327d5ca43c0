using BpfSharp.Interop;

namespace BpfSharp.Cli.Records;

/// <summary>
/// What the kernel says about one of this process's fds in <c>/proc/self/fdinfo</c>: for BPF objects the locked
/// memory they are charged (<c>memlock</c>) and whether a map is frozen (<c>frozen</c>), which bpftool shows and
/// BPF_OBJ_GET_INFO_BY_FD does not report.
/// </summary>
internal static class FdInfo
{
    /// <summary>The value of <paramref name="key"/>, or null when the line is missing or procfs is not there.</summary>
    public static long? Read(SafeFdHandle handle, string key)
    {
        string text;
        try { text = File.ReadAllText($"/proc/self/fdinfo/{handle.Fd}"); }
        catch (IOException) { return null; }
        foreach (var line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).SequenceEqual(key)
                && long.TryParse(line.AsSpan(colon + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture, out long value))
                return value;
        }
        return null;
    }
}
