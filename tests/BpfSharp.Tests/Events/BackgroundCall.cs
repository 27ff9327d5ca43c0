namespace BpfSharp.Tests.Events;

/// <summary>A call made on a thread of its own (a blocking Poll or Reserve), joined with a timeout.</summary>
internal sealed class BackgroundCall<T>
{
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _started = new();
    private T? _result;

    public BackgroundCall(Func<T> call)
    {
        _thread = new Thread(() =>
        {
            _started.Set();
            try { _result = call(); }
            catch (Exception e) { Error = e; }
        }) { IsBackground = true, Name = "test background call" };
        _thread.Start();
        _started.Wait();
    }

    public Exception? Error { get; private set; }

    /// <summary>Waits for the call to end; false when it is still running after <paramref name="timeout"/>.</summary>
    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    /// <summary>The call's result; rethrows what it threw.</summary>
    public T Result => Error is null ? _result! : throw new InvalidOperationException("the background call failed", Error);

    public bool IsRunning => _thread.IsAlive;
}
