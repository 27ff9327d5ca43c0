using BpfSharp.Btf;

namespace BpfSharp.Benchmarks;

/// <summary>
/// <c>--load-memory OBJECT</c>, run in a fresh process by bench/compare.py: the memory that opening and loading one
/// object adds to a process, against libbpf's whole process doing the same (bench/native/load-object).
/// </summary>
/// <remarks>
/// The runtime's own start-up and the JIT are left out: the object is opened and loaded once first against a kernel
/// spec of its own (read from the file and dropped), which compiles the load path; the measured load then uses the
/// process-wide kernel spec (<see cref="BtfSpec.LoadKernel"/>, mapped where the kernel allows it), as an
/// application's first load does. Printed: the resident memory added between before <c>Open</c> and after
/// <c>Load</c>, and the managed heap still held after a full collection, with the object loaded.
/// </remarks>
internal static class LoadMemory
{
    public static int Run(string path)
    {
        using (var warm = BpfObject.Open(path, new BpfObjectOptions { KernelBtf = BtfSpec.Load("/sys/kernel/btf/vmlinux") }))
            warm.Load();
        long heapBefore = FullCollection();
        long rssBefore = ResidentBytes();

        using var obj = BpfObject.Open(path);
        obj.Load();

        long rssAfter = ResidentBytes();
        long heapAfter = FullCollection();
        GC.KeepAlive(obj);
        Console.WriteLine($"{{\"rss_added_mb\":{(rssAfter - rssBefore) / 1048576.0:F3},\"heap_retained_mb\":{(heapAfter - heapBefore) / 1048576.0:F3}}}");
        return 0;
    }

    private static long FullCollection()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>VmRSS of /proc/self/status.</summary>
    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }
}
