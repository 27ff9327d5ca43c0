using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Events;

/// <summary>The kernel's id of the calling thread (what /proc/self/task lists).</summary>
internal static partial class ThreadIds
{
    [LibraryImport("libc", EntryPoint = "gettid")]
    internal static partial int Current();
}

/// <summary>A call made on a thread of its own (a blocking Poll or Reserve), joined with a timeout.</summary>
internal sealed class BackgroundCall<T>
{
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _started = new();
    private int _tid;
    private T? _result;

    public BackgroundCall(Func<T> call)
    {
        _thread = new Thread(() =>
        {
            _tid = ThreadIds.Current();
            _started.Set();
            try { _result = call(); }
            catch (Exception e) { Error = e; }
        }) { IsBackground = true, Name = "test background call" };
        _thread.Start();
        _started.Wait();
    }

    public Exception? Error { get; private set; }

    /// <summary>
    /// Waits until the thread sleeps in the kernel's epoll wait (its wait channel in /proc), so a test of
    /// "wakes a blocked call" does not race the call's start: a fixed sleep is too short under emulation.
    /// </summary>
    public void WaitUntilBlocked()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string wchan = $"/proc/self/task/{_tid}/wchan";
        while (DateTime.UtcNow < deadline)
        {
            if (!_thread.IsAlive) return; // it ended (or threw) first: the test's own asserts say what that means
            string channel = File.Exists(wchan) ? File.ReadAllText(wchan) : "";
            if (channel.Contains("epoll", StringComparison.Ordinal)) return;
            Thread.Sleep(5);
        }
        throw new TimeoutException($"the background call never blocked in epoll_wait (wait channel {File.ReadAllText(wchan)})");
    }

    /// <summary>Waits for the call to end; false when it is still running after <paramref name="timeout"/>.</summary>
    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    /// <summary>The call's result; rethrows what it threw.</summary>
    public T Result => Error is null ? _result! : throw new InvalidOperationException("the background call failed", Error);

    public bool IsRunning => _thread.IsAlive;
}
