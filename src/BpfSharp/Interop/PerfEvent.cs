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

    // perf_event_type: the records a perf ring buffer carries (each starts with a perf_event_header).
    public const uint PERF_RECORD_LOST = 2, PERF_RECORD_SAMPLE = 9;

    /// <summary><c>struct perf_event_header</c>: the record type, misc bits and total size in bytes (8-byte multiple).</summary>
    public const int HeaderSize = 8;

    // The first page of a perf event's ring (struct perf_event_mmap_page): the fields a reader uses, at their
    // offsets. The kernel advances data_head; the reader owns data_tail (in a writable mapping).
    public const int MmapPageDataHead = 1024, MmapPageDataTail = 1032, MmapPageDataOffset = 1040, MmapPageDataSize = 1048;

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
