using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Hosting;

/// <summary>
/// Runs an action on a thread of its own whose effective capabilities lack CAP_SYS_ADMIN (capabilities belong to
/// each thread: the rest of the process keeps its own), as in a container granted CAP_BPF and CAP_PERFMON only.
/// </summary>
internal static partial class WithoutSysAdmin
{
    private const uint Version3 = 0x20080522;
    private const int CapSysAdmin = 21;

    [StructLayout(LayoutKind.Sequential)]
    private struct Header { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data { public uint Effective, Permitted, Inheritable; }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int capget(Header* header, Data* data);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int capset(Header* header, Data* data);

    public static unsafe void Run(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var header = new Header { Version = Version3 };
                var data = stackalloc Data[2];
                if (capget(&header, data) != 0) throw new InvalidOperationException($"capget: errno {Marshal.GetLastPInvokeError()}");
                data[0].Effective &= ~(1u << CapSysAdmin);
                if (capset(&header, data) != 0) throw new InvalidOperationException($"capset: errno {Marshal.GetLastPInvokeError()}");
                action();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new AggregateException(failure);
    }
}
