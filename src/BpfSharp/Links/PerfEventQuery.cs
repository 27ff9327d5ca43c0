using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>What a perf event or raw tracepoint fd runs a program on (the kernel's BPF_FD_TYPE_*).</summary>
public enum BpfPerfEventKind
{
    /// <summary>A raw tracepoint (BPF_RAW_TRACEPOINT_OPEN): the name is the tracepoint's.</summary>
    RawTracepoint = 0,
    /// <summary>A tracefs tracepoint: the name is the tracepoint's.</summary>
    Tracepoint = 1,
    /// <summary>A kprobe: the function and offset, or the address when it was placed by address.</summary>
    Kprobe = 2,
    /// <summary>A kretprobe: as a kprobe.</summary>
    Kretprobe = 3,
    /// <summary>A uprobe: the file and the offset in it.</summary>
    Uprobe = 4,
    /// <summary>A uretprobe: as a uprobe.</summary>
    Uretprobe = 5,
}

/// <summary>A process's fd that runs a BPF program on a perf event or raw tracepoint.</summary>
/// <param name="Name">The tracepoint, the kprobe's function (empty when placed by address) or the uprobe's file.</param>
/// <param name="ProbeOffset">A kprobe's offset in its function, a uprobe's offset in its file; 0 for tracepoints.</param>
/// <param name="ProbeAddress">A kprobe's address when it was placed by address; 0 otherwise.</param>
public sealed record PerfEventAttachment(int Pid, int Fd, uint ProgramId, BpfPerfEventKind Kind, string Name, ulong ProbeOffset, ulong ProbeAddress);

/// <summary>
/// BPF_TASK_FD_QUERY: which program a process's fd runs and on what (bpftool's <c>perf list</c>). The kernel answers
/// only for perf event fds with a program and raw tracepoint links; the other fds have nothing to say.
/// </summary>
public static class PerfEventQuery
{
    /// <summary>What fd <paramref name="fd"/> of process <paramref name="pid"/> runs, or null when it is no such fd (or is gone).</summary>
    public static unsafe PerfEventAttachment? Query(int pid, int fd)
    {
        var buffer = new byte[4096];
        while (true)
        {
            fixed (byte* b = buffer)
            {
                var attr = new TaskFdQueryAttr { pid = (uint)pid, fd = (uint)fd, buf = (ulong)b, buf_len = (uint)buffer.Length };
                int r = Bpf.TryCall(BpfCommand.BPF_TASK_FD_QUERY, ref attr);
                if (r == -Errnos.ENOSPC && attr.buf_len >= buffer.Length)
                {
                    buffer = new byte[attr.buf_len + 1];
                    continue;
                }
                if (r < 0) return null;
                int length = (int)Math.Min(attr.buf_len, (uint)buffer.Length);
                int end = Array.IndexOf(buffer, (byte)0, 0, length);
                string name = Encoding.UTF8.GetString(buffer, 0, end < 0 ? length : end);
                return new PerfEventAttachment(pid, fd, attr.prog_id, (BpfPerfEventKind)attr.fd_type, name, attr.probe_offset, attr.probe_addr);
            }
        }
    }

    /// <summary>Every such fd of every process (walking /proc, as bpftool does), in /proc's order.</summary>
    public static IEnumerable<PerfEventAttachment> All()
    {
        foreach (var process in SafeList("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out int pid)) continue;
            foreach (var entry in SafeList(Path.Combine(process, "fd")))
                if (int.TryParse(Path.GetFileName(entry), out int fd) && Query(pid, fd) is { } found)
                    yield return found;
        }
    }

    /// <summary>A directory's entries; none when it went away or cannot be read (a process that exited).</summary>
    private static string[] SafeList(string dir)
    {
        try { return Directory.GetFileSystemEntries(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
