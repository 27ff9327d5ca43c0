using BpfSharp.Tests.Support;

[assembly: AssemblyFixture(typeof(FdLeakCheck))]
// Kernel tests share system-wide state (the link list, bpffs, tracefs): run them one at a time.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace BpfSharp.Tests.Support;

/// <summary>
/// Counts the kernel-object fds (BPF maps, programs, links, BTF, perf events, epoll) this process holds
/// before the suite and after it; anything the suite opened and did not close fails the run.
/// </summary>
public sealed class FdLeakCheck : IDisposable
{
    private readonly Dictionary<string, int> _before = Snapshot();

    public static Dictionary<string, int> Snapshot()
    {
        var counts = new Dictionary<string, int>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try { target = new FileInfo(fd).LinkTarget; }
            catch (IOException) { continue; }
            if (target is null || !IsKernelObject(target)) continue;
            counts[target] = counts.GetValueOrDefault(target) + 1;
        }
        return counts;
    }

    private static bool IsKernelObject(string target) =>
        target.StartsWith("anon_inode:bpf", StringComparison.Ordinal) ||
        target.StartsWith("anon_inode:[perf_event]", StringComparison.Ordinal) ||
        target.StartsWith("anon_inode:btf", StringComparison.Ordinal);

    public void Dispose()
    {
        // Handles that tests dropped without Dispose are closed by their finalizers: let them run first.
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        var after = Snapshot();
        var leaked = after.Where(kv => kv.Value > _before.GetValueOrDefault(kv.Key))
            .Select(kv => $"{kv.Key} x{kv.Value - _before.GetValueOrDefault(kv.Key)}").ToList();
        if (leaked.Count > 0)
            throw new InvalidOperationException("the test suite leaked file descriptors: " + string.Join(", ", leaked));
    }
}
