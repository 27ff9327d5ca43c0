using System.Threading.Tasks.Sources;

namespace BpfSharp.Events;

/// <summary>
/// Lets an async stream wait for records without blocking a pool thread: a thread of its own blocks in the reader's
/// epoll_wait when asked and completes the awaited <see cref="ValueTask"/>, whose continuation runs on the thread pool.
/// Asked only when every ring is empty, so a busy stream never hands off between threads; nothing is allocated per wait.
/// </summary>
internal sealed class StreamWait : IValueTaskSource, IDisposable
{
    private readonly EventReader _reader;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _asked = new(0);
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private volatile bool _stopped;

    public StreamWait(EventReader reader)
    {
        _reader = reader;
        _thread = new Thread(Run) { IsBackground = true, Name = "BpfSharp event stream wait" };
        _thread.Start();
    }

    /// <summary>Completes when a ring has records, <see cref="EventReader.Wake"/> was called, or the reader was disposed.</summary>
    public ValueTask WaitAsync()
    {
        _core.Reset();
        _asked.Release();
        return new ValueTask(this, _core.Version);
    }

    private void Run()
    {
        while (true)
        {
            _asked.Wait();
            if (_stopped) return;
            try
            {
                _reader.WaitForRecords();
                _core.SetResult(true);
            }
            catch (Exception e)
            {
                _core.SetException(e);
            }
        }
    }

    /// <summary>Ends the thread; called with no wait pending (the stream is between awaits).</summary>
    public void Dispose()
    {
        _stopped = true;
        _asked.Release();
        _thread.Join();
        _asked.Dispose();
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public void GetResult(short token) => _core.GetResult(token);
}
