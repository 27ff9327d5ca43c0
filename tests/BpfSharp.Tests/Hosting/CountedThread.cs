using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Hosting;

/// <summary>
/// A thread whose kernel pid (thread id) is known before a host is built (the fixture's <c>target_tid</c>), and
/// which makes its system calls when told to.
/// </summary>
internal sealed partial class CountedThread
{
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _tidKnown = new();
    private readonly ManualResetEventSlim _go = new();
    private int[] _bursts = [];

    public int Tid { get; private set; }

    public CountedThread()
    {
        _thread = new Thread(() =>
        {
            Tid = HostingFixture.gettid();
            _tidKnown.Set();
            _go.Wait();
            foreach (int burst in _bursts)
            {
                for (int i = 0; i < burst; i++) getppid();
                Thread.Sleep(500); // the readers catch up between bursts
            }
        }) { IsBackground = true };
        _thread.Start();
        _tidKnown.Wait();
    }

    /// <summary>Makes each burst of system calls, half a second apart, and ends.</summary>
    public void Run(params int[] bursts)
    {
        _bursts = bursts;
        _go.Set();
        _thread.Join();
    }

    /// <summary>The counter once it stays put: the thread's exit still makes system calls after Join.</summary>
    public static long Settled(BpfMap counters)
    {
        long counted = HostingFixture.Read(counters, HostingFixture.Syscalls);
        for (long last = -1; counted != last; counted = HostingFixture.Read(counters, HostingFixture.Syscalls))
        {
            last = counted;
            Thread.Sleep(100);
        }
        return counted;
    }

    [LibraryImport("libc")]
    private static partial int getppid();
}
