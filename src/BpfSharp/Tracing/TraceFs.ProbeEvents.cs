using System.Globalization;
using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Tracing;

public static partial class TraceFs
{
    /// <summary>The group prefix of every probe event BpfSharp creates; the owner's pid follows it.</summary>
    public const string ProbeGroupPrefix = "bpfsharp_";

    /// <summary>
    /// The longest group or event name every kernel accepts: the kernel's <c>MAX_EVENT_NAME_LEN</c> is 64 with the
    /// terminating NUL (some versions allow one more character for the event name).
    /// </summary>
    public const int MaxEventNameLength = 63;

    // Shared by both kinds, so that a kprobe and a uprobe of this process never share a name.
    private static int s_nameCounter = -1;

    /// <summary>The group of this process's probe events: <c>bpfsharp_&lt;pid&gt;</c>.</summary>
    public static string OwnProbeGroup { get; } = ProbeGroupPrefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Creates a kprobe (or kretprobe) event on <paramref name="symbol"/>+<paramref name="offset"/> through
    /// <c>kprobe_events</c>: the legacy route for kernels without the kprobe PMU (<see cref="ProbePmu.Kprobe"/>).
    /// </summary>
    /// <param name="symbol">A kernel function (<c>do_sys_openat2</c>), or <c>module:function</c>.</param>
    /// <param name="maxActive">
    /// For a kretprobe, how many instances of the function may be probed at once (the kernel's default is small;
    /// returns beyond it are missed); 0 keeps the kernel's default.
    /// </param>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no <c>kprobe_events</c>.</exception>
    /// <exception cref="BpfException">The kernel refused the probe, e.g. an unknown or unprobeable symbol.</exception>
    public static ProbeEvent CreateKprobeEvent(string symbol, ulong offset = 0, bool retprobe = false, int maxActive = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        if (symbol.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || symbol[0] == '-')
            throw new ArgumentException($"\"{symbol}\" is not a kernel symbol name", nameof(symbol));
        ArgumentOutOfRangeException.ThrowIfNegative(maxActive);
        if (maxActive != 0 && !retprobe)
            throw new ArgumentException("maxActive applies to kretprobes only", nameof(maxActive));
        BpfFeatures.KprobeEvents.ThrowIfUnsupported();

        // "r16:grp/ev sym+0x0": a kretprobe with up to 16 concurrent instances.
        string type = retprobe ? (maxActive > 0 ? "r" + maxActive.ToString(CultureInfo.InvariantCulture) : "r") : "p";
        string label = offset == 0 ? symbol : $"{symbol}_0x{offset:x}";
        return Create(ProbeEventKind.Kprobe, retprobe, type, label, $"{symbol}+0x{offset:x}");
    }

    /// <summary>
    /// Creates a uprobe (or uretprobe) event at file offset <paramref name="offset"/> of
    /// <paramref name="binaryPath"/> through <c>uprobe_events</c>: the legacy route for kernels without the uprobe PMU.
    /// </summary>
    /// <param name="offset">The file offset of the probed instruction (see <see cref="UprobeTarget"/>).</param>
    /// <param name="referenceCounterOffset">
    /// The file offset of a USDT semaphore the kernel increments while the probe is active (4.20+), or 0.
    /// </param>
    /// <param name="label">Names the event (sanitised, shortened); by default the file name and offset.</param>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no <c>uprobe_events</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The offset is past the end of the file.</exception>
    /// <exception cref="BpfException">The kernel refused the probe (a missing file, not a regular file...).</exception>
    public static ProbeEvent CreateUprobeEvent(string binaryPath, ulong offset, bool retprobe = false,
        ulong referenceCounterOffset = 0, string? label = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        string path = Path.GetFullPath(binaryPath);
        // The kernel splits the command at whitespace, and a path cannot be quoted.
        if (path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException($"tracefs cannot name a path with whitespace in a uprobe event: \"{path}\"", nameof(binaryPath));
        BpfFeatures.UprobeEvents.ThrowIfUnsupported();

        // The kernel checks the offset only when the probe is first opened; fail here, where the cause is clear.
        var file = new FileInfo(path);
        if (file.Exists && offset >= (ulong)file.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"past the end of {path} ({file.Length} bytes)");

        string place = $"{path}:0x{offset:x}";
        if (referenceCounterOffset != 0)
            place += $"(0x{referenceCounterOffset:x})";
        label ??= $"{Path.GetFileName(path)}_0x{offset:x}";
        return Create(ProbeEventKind.Uprobe, retprobe, retprobe ? "r" : "p", label, place);
    }

    private static ProbeEvent Create(ProbeEventKind kind, bool retprobe, string type, string label, string place)
    {
        string control = ControlFile(kind);
        string group = OwnProbeGroup;
        while (true)
        {
            string name = EventName(label, Interlocked.Increment(ref s_nameCounter));
            // Writing a definition under an existing name appends a second probe to that event instead of failing,
            // so a name left by an earlier process with this pid must be skipped, not reused.
            if (Directory.Exists(Path.Combine(MountPoint, "events", group, name)))
                continue;

            string command = $"{type}:{group}/{name} {place}";
            int errno = TryAppend(control, command);
            if (errno != 0)
            {
                string? why = ReadErrorLog(command);
                throw new BpfException($"create {KindName(kind)} event", errno, why is null ? command : $"{command}: {why}");
            }
            if (!TryReadEventId(group, name, out int id))
            {
                // Leave nothing behind: the definition was accepted but its event cannot be used.
                TryRemoveProbeEvent(kind, group, name);
                throw new BpfException($"create {KindName(kind)} event", Errnos.ENOENT, $"{command}: events/{group}/{name}/id did not appear");
            }
            return new ProbeEvent(kind, group, name, id, retprobe, command);
        }
    }

    /// <summary>
    /// The probe events defined in <c>kprobe_events</c> and <c>uprobe_events</c> (by anyone), skipping a file the
    /// kernel does not have.
    /// </summary>
    /// <exception cref="BpfFeatureNotSupportedException">tracefs is not mounted.</exception>
    public static IReadOnlyList<ProbeEventInfo> ListProbeEvents()
    {
        var events = new List<ProbeEventInfo>();
        foreach (ProbeEventKind kind in (ReadOnlySpan<ProbeEventKind>)[ProbeEventKind.Kprobe, ProbeEventKind.Uprobe])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(ControlFile(kind));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }
            foreach (string line in lines)
            {
                if (ProbeEventInfo.TryParse(kind, line) is { } info)
                    events.Add(info);
            }
        }
        return events;
    }

    /// <summary>
    /// Removes every probe event BpfSharp created whose owning process no longer runs, and returns them. Events
    /// still in use are left alone (the kernel refuses with <c>EBUSY</c>, e.g. while a pinned perf link holds one).
    /// </summary>
    /// <remarks>
    /// Owners are looked up in this process's pid namespace (<c>/proc/&lt;pid&gt;</c>); a zombie counts as gone, since
    /// it has closed its perf events. Run this from the host namespace: in a container, the pid of a live process on
    /// the host may not exist.
    /// </remarks>
    /// <exception cref="BpfFeatureNotSupportedException">tracefs is not mounted.</exception>
    /// <exception cref="BpfException">The kernel refused a removal for another reason than use or absence.</exception>
    public static IReadOnlyList<ProbeEventInfo> RemoveStaleProbeEvents()
    {
        var removed = new List<ProbeEventInfo>();
        foreach (ProbeEventInfo e in ListProbeEvents())
        {
            if (e.OwnerPid is not int pid || IsProcessAlive(pid))
                continue;
            int errno = TryRemoveProbeEvent(e.Kind, e.Category, e.Name);
            if (errno == 0)
                removed.Add(e);
            else if (errno is not (Errnos.ENOENT or Errnos.EBUSY))
                throw new BpfException($"remove {KindName(e.Kind)} event", errno, $"{e.Category}/{e.Name}");
        }
        return removed;
    }

    /// <summary>Writes <c>-:group/event</c>; returns 0 or the errno (ENOENT: no such event, EBUSY: in use).</summary>
    internal static int TryRemoveProbeEvent(ProbeEventKind kind, string category, string name) =>
        TryAppend(ControlFile(kind), $"-:{category}/{name}");

    /// <summary>The pid in a BpfSharp group name (<c>bpfsharp_4242</c>), or null for any other group.</summary>
    internal static int? ParseOwnerPid(string category)
    {
        if (!category.StartsWith(ProbeGroupPrefix, StringComparison.Ordinal))
            return null;
        ReadOnlySpan<char> digits = category.AsSpan(ProbeGroupPrefix.Length);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 &&
               digits[0] != '0' ? pid : null;
    }

    /// <summary>
    /// The event name for <paramref name="label"/> and a per-process counter: <c>[A-Za-z0-9_]</c> only, starting
    /// with a letter or '_' (the kernel's rule for event names), at most <see cref="MaxEventNameLength"/> long.
    /// </summary>
    internal static string EventName(string label, int counter)
    {
        string suffix = "_" + counter.ToString(CultureInfo.InvariantCulture);
        var name = new StringBuilder(MaxEventNameLength);
        if (label.Length == 0 || (!char.IsAsciiLetter(label[0]) && label[0] != '_'))
            name.Append('_');
        foreach (char c in label)
        {
            if (name.Length + suffix.Length >= MaxEventNameLength)
                break;
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        return name.Append(suffix).ToString();
    }

    // Alive means: /proc/<pid> exists and is not a zombie (state Z or X in /proc/<pid>/stat).
    internal static bool IsProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId)
            return true;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            // ESRCH while reading: the process exited between open and read.
            return false;
        }
        // "pid (comm) S ...": comm may itself hold ") ", so the state follows the last ')'.
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] is not ('Z' or 'X');
    }

    private static string ControlFile(ProbeEventKind kind) =>
        Path.Combine(MountPoint, kind == ProbeEventKind.Kprobe ? "kprobe_events" : "uprobe_events");

    internal static string KindName(ProbeEventKind kind) => kind == ProbeEventKind.Kprobe ? "kprobe" : "uprobe";
}
