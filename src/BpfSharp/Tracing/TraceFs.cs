using System.Globalization;
using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Tracing;

/// <summary>
/// The kernel's tracing filesystem: tracepoint ids, and the legacy probe events that <c>kprobe_events</c> and
/// <c>uprobe_events</c> create for kernels (or configurations) without the kprobe/uprobe perf PMUs.
/// </summary>
/// <remarks>
/// Probe events are system-wide and outlive the process that created them. Those BpfSharp creates are named after
/// the creating process (group <c>bpfsharp_&lt;pid&gt;</c>), so that <see cref="RemoveStaleProbeEvents"/> can remove
/// the ones a crashed process left behind.
/// </remarks>
public static partial class TraceFs
{
    // statfs magics: tracefs itself, or the debugfs of kernels older than 4.1 whose tracing directory is plain debugfs.
    private const long TraceFsMagic = 0x74726163, DebugFsMagic = 0x64626720;

    /// <summary>Where the kernel documents tracefs (4.1+), then where older setups reach it through debugfs.</summary>
    public static IReadOnlyList<string> MountPointCandidates { get; } = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

    private static readonly Lazy<string?> Mount = new(FindMount, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether tracefs is mounted where BpfSharp looks for it.</summary>
    public static bool IsAvailable => Mount.Value is not null;

    /// <summary>The tracefs mount point, e.g. <c>/sys/kernel/tracing</c>.</summary>
    /// <exception cref="BpfFeatureNotSupportedException">tracefs is not mounted (<see cref="BpfFeatures.TraceFs"/>).</exception>
    public static string MountPoint
    {
        get
        {
            BpfFeatures.TraceFs.ThrowIfUnsupported();
            return Mount.Value!;
        }
    }

    internal static string? FindMountOrNull() => Mount.Value;

    private static string? FindMount()
    {
        foreach (string candidate in MountPointCandidates)
        {
            long magic = Libc.FileSystemType(candidate);
            if (magic == TraceFsMagic || (magic == DebugFsMagic && Directory.Exists(Path.Combine(candidate, "events"))))
                return candidate;
        }
        return null;
    }

    /// <summary>
    /// The id of tracepoint <paramref name="category"/>/<paramref name="name"/> (<c>events/&lt;category&gt;/&lt;name&gt;/id</c>),
    /// the <c>config</c> of a <c>PERF_TYPE_TRACEPOINT</c> perf event.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty or could leave the events directory.</exception>
    /// <exception cref="BpfException">The running kernel has no such event (errno ENOENT).</exception>
    public static int GetTracepointId(string category, string name)
    {
        CheckEventPathPart(category, nameof(category));
        CheckEventPathPart(name, nameof(name));
        if (TryReadEventId(category, name, out int id))
            return id;
        throw new BpfException($"tracepoint {category}/{name}", Errnos.ENOENT,
            $"no such event in {Path.Combine(MountPoint, "events")}; available_events lists the kernel's tracepoints");
    }

    /// <summary>Whether the running kernel has tracepoint <paramref name="category"/>/<paramref name="name"/>.</summary>
    public static bool TracepointExists(string category, string name)
    {
        CheckEventPathPart(category, nameof(category));
        CheckEventPathPart(name, nameof(name));
        return TryReadEventId(category, name, out _);
    }

    private static bool TryReadEventId(string category, string name, out int id)
    {
        id = 0;
        string path = Path.Combine(MountPoint, "events", category, name, "id");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        if (!int.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out id))
            throw new BpfException($"tracepoint {category}/{name}", $"{path} holds \"{text.Trim()}\", not an event id");
        return true;
    }

    // A category or event name becomes one path component under events/: nothing that could climb out of it.
    private static void CheckEventPathPart(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value is "." or ".." || value.AsSpan().IndexOfAny('/', '\0') >= 0 || value.Any(char.IsWhiteSpace))
            throw new ArgumentException($"\"{value}\" is not a tracefs event name (no '/', NUL, whitespace, \".\" or \"..\")", parameter);
    }

    /// <summary>
    /// Appends one command line to a tracefs control file (<c>kprobe_events</c>, <c>uprobe_events</c>) and returns 0
    /// or the errno. The file is opened without <c>O_TRUNC</c>: truncating these files deletes every probe event.
    /// </summary>
    internal static unsafe int TryAppend(string file, string command)
    {
        int fd = Libc.open(file, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            return Libc.LastErrno;
        using var handle = new SafeFdHandle(fd);
        byte[] bytes = Encoding.UTF8.GetBytes(command + "\n");
        fixed (byte* p = bytes)
        {
            nint written = Libc.write(handle, p, (nuint)bytes.Length);
            if (written < 0)
                return Libc.LastErrno;
            // The kernel parses the whole buffer in one write; a short count would be a kernel change worth knowing.
            return written == bytes.Length ? 0 : Errnos.EIO;
        }
    }

    /// <summary>
    /// The kernel's explanation of a rejected command from tracefs <c>error_log</c> (4.20+), e.g.
    /// "Failed to find the given file", or null when it logged none for <paramref name="command"/>.
    /// </summary>
    internal static string? ReadErrorLog(string command)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(MountPoint, "error_log"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // Entries are "[time] source: error: text", then "  Command: <command>", then a caret line.
        for (int i = lines.Length - 1; i > 0; i--)
        {
            string line = lines[i].Trim();
            if (!line.StartsWith("Command: ", StringComparison.Ordinal) || line["Command: ".Length..] != command.Trim())
                continue;
            string header = lines[i - 1];
            int at = header.IndexOf("error: ", StringComparison.Ordinal);
            return at < 0 ? header.Trim() : header[(at + "error: ".Length)..].Trim();
        }
        return null;
    }
}
