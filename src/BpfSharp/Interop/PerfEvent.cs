using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary>perf_event_open(2) constants and the perf ioctls, with the kernel's names.</summary>
internal static unsafe class PerfEvent
{
    // perf_type_id
    public const uint PERF_TYPE_HARDWARE = 0, PERF_TYPE_SOFTWARE = 1, PERF_TYPE_TRACEPOINT = 2,
        PERF_TYPE_HW_CACHE = 3, PERF_TYPE_RAW = 4, PERF_TYPE_BREAKPOINT = 5;

    // perf_sw_ids
    public const ulong PERF_COUNT_SW_CPU_CLOCK = 0, PERF_COUNT_SW_TASK_CLOCK = 1, PERF_COUNT_SW_PAGE_FAULTS = 2,
        PERF_COUNT_SW_CONTEXT_SWITCHES = 3, PERF_COUNT_SW_CPU_MIGRATIONS = 4, PERF_COUNT_SW_DUMMY = 9,
        PERF_COUNT_SW_BPF_OUTPUT = 10;

    public const ulong PERF_SAMPLE_RAW = 1UL << 10;

    public const ulong PERF_FLAG_FD_CLOEXEC = 1UL << 3;

    // perf_event_type: the records a perf ring buffer carries, each starting with a PerfEventHeader.
    public const uint PERF_RECORD_LOST = 2, PERF_RECORD_SAMPLE = 9;

    // _IO('$', n) and _IOW('$', n, type): the request numbers are the same on x86_64 and arm64.
    public const uint PERF_EVENT_IOC_ENABLE = 0x2400;
    public const uint PERF_EVENT_IOC_DISABLE = 0x2401;
    public const uint PERF_EVENT_IOC_SET_BPF = 0x40042408;
    public const uint PERF_EVENT_IOC_PAUSE_OUTPUT = 0x40042409;
    public const uint PERF_EVENT_IOC_ID = 0x80082407;

    /// <summary>Opens a perf event with <c>PERF_FLAG_FD_CLOEXEC</c>; throws naming <paramref name="what"/> on failure.</summary>
    public static SafeFdHandle Open(ref PerfEventAttr attr, int pid, int cpu, string what)
    {
        attr.size = (uint)sizeof(PerfEventAttr);
        fixed (PerfEventAttr* p = &attr)
        {
            int fd = Libc.PerfEventOpen(p, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
            if (fd < 0) throw new BpfException("perf_event_open", Libc.LastErrno, what);
            return new SafeFdHandle(fd);
        }
    }

    /// <summary>An ioctl on a perf event fd; returns 0 or -errno.</summary>
    public static int TryIoctl(SafeFdHandle fd, uint request, nint arg) =>
        Libc.ioctl(fd, request, arg) < 0 ? -Libc.LastErrno : 0;

    public static void Ioctl(SafeFdHandle fd, uint request, nint arg, string what)
    {
        int r = TryIoctl(fd, request, arg);
        if (r < 0) throw new BpfException(IoctlName(request), -r, what);
    }

    private static string IoctlName(uint request) => request switch
    {
        PERF_EVENT_IOC_ENABLE => "PERF_EVENT_IOC_ENABLE",
        PERF_EVENT_IOC_DISABLE => "PERF_EVENT_IOC_DISABLE",
        PERF_EVENT_IOC_SET_BPF => "PERF_EVENT_IOC_SET_BPF",
        PERF_EVENT_IOC_PAUSE_OUTPUT => "PERF_EVENT_IOC_PAUSE_OUTPUT",
        PERF_EVENT_IOC_ID => "PERF_EVENT_IOC_ID",
        _ => $"ioctl 0x{request:x}",
    };
}

/// <summary><c>struct perf_event_header</c>: the start of every record in a perf event's ring.</summary>
[KernelStruct("perf_event_header")]
[StructLayout(LayoutKind.Sequential)]
internal struct PerfEventHeader
{
    /// <summary>A <c>PERF_RECORD_*</c> value.</summary>
    public uint type;
    public ushort misc;
    /// <summary>The whole record's size in bytes, this header included (a multiple of 8).</summary>
    public ushort size;
}

/// <summary>
/// <c>struct perf_event_mmap_page</c>, the first page of a perf event's ring: only the fields a ring reader
/// uses. The kernel advances <c>data_head</c>; the reader owns <c>data_tail</c> (in a writable mapping).
/// </summary>
[KernelStruct("perf_event_mmap_page")]
[StructLayout(LayoutKind.Explicit, Size = 1088)]
internal struct PerfEventMmapPage
{
    [FieldOffset(1024)] public ulong data_head;
    [FieldOffset(1032)] public ulong data_tail;
    /// <summary>Where the data pages start in the mapping (0 before Linux 4.1: the second page).</summary>
    [FieldOffset(1040)] public ulong data_offset;
    /// <summary>The data pages' size in bytes (0 before Linux 4.1).</summary>
    [FieldOffset(1048)] public ulong data_size;
}
