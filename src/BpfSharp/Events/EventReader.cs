namespace BpfSharp.Events;

/// <summary>
/// What the ring buffer and perf buffer readers share: waiting on their fds through one epoll instance,
/// handing records to a handler in place, <see cref="Wake"/>, safe disposal, and async streams
/// (<see cref="ReadAllAsync{T}(CancellationToken)"/>).
/// </summary>
/// <remarks>
/// One consumer at a time: concurrent Poll and Consume calls are serialised (a second caller waits for the
/// first), and a handler may not call them. <see cref="Wake"/> and <c>Dispose</c> may be called from any
/// thread at any time, also while another thread is blocked in <c>Poll</c> or running a handler: the kernel's
/// memory stays mapped until that call has returned.
/// </remarks>
public abstract partial class EventReader : IDisposable
{
    private protected readonly EventResources Resources = new();
    private protected readonly EventWaiter Waiter;
    private readonly Lock _consumer = new();
    private int _disposed;

    private protected EventReader()
    {
        try
        {
            Waiter = new EventWaiter(Resources);
        }
        catch
        {
            Resources.Dispose();
            throw;
        }
    }

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> milliseconds (-1: without limit, 0: not at all) until records
    /// are available, then hands every available record to <paramref name="handler"/>. Returns the number of
    /// records handled: 0 when the time ran out, <see cref="Wake"/> was called, or the reader was disposed.
    /// </summary>
    public int Poll(int timeoutMs, RecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new DelegateRecordHandler(handler);
        return Poll(timeoutMs, ref adapter);
    }

    /// <inheritdoc cref="Poll(int, RecordHandler)"/>
    public int Poll(TimeSpan timeout, RecordHandler handler) => Poll(ToMilliseconds(timeout), handler);

    /// <inheritdoc cref="Poll(int, RecordHandler)"/>
    public int Poll(int timeoutMs, RecordSourceHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new DelegateRecordSourceHandler(handler);
        return Poll(timeoutMs, ref adapter);
    }

    /// <inheritdoc cref="Poll(int, RecordHandler)"/>
    public int Poll(TimeSpan timeout, RecordSourceHandler handler) => Poll(ToMilliseconds(timeout), handler);

    /// <inheritdoc cref="Poll(int, RecordHandler)"/>
    public int Poll<THandler>(TimeSpan timeout, ref THandler handler) where THandler : IRecordHandler, allows ref struct
        => Poll(ToMilliseconds(timeout), ref handler);

    /// <summary>
    /// <see cref="Poll(int, RecordHandler)"/> with a struct handler: specialised for <typeparamref name="THandler"/>,
    /// with no allocation or boxing per call or per record.
    /// </summary>
    public int Poll<THandler>(int timeoutMs, ref THandler handler) where THandler : IRecordHandler, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, -1);
        EnterConsumer();
        try
        {
            int n = Drain(ref handler);
            if (n > 0 || timeoutMs == 0) return n;
            long start = Environment.TickCount64;
            Span<int> tokens = stackalloc int[EventWaiter.MaxEvents];
            while (true)
            {
                int wait = timeoutMs < 0 ? -1 : (int)Math.Max(0, timeoutMs - (Environment.TickCount64 - start));
                int ready = Waiter.Wait(tokens, wait);
                bool woken = tokens[..ready].Contains(EventWaiter.WakeToken);
                if (woken)
                {
                    // Disposing leaves the eventfd set, so that every later wait returns at once too.
                    if (IsDisposed) return 0;
                    Waiter.ClearWake();
                }
                // Every ring is scanned, not only the reported ones: an idle ring costs one load.
                n = Drain(ref handler);
                if (n > 0 || woken || wait == 0) return n;
            }
        }
        finally
        {
            ExitConsumer();
        }
    }

    /// <summary>
    /// Hands the records available now to <paramref name="handler"/>, without waiting; returns how many. Under a
    /// producer faster than the handler, one call stops after about a ring's worth of records.
    /// </summary>
    public int Consume(RecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new DelegateRecordHandler(handler);
        return Consume(ref adapter);
    }

    /// <inheritdoc cref="Consume(RecordHandler)"/>
    public int Consume(RecordSourceHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new DelegateRecordSourceHandler(handler);
        return Consume(ref adapter);
    }

    /// <inheritdoc cref="Consume(RecordHandler)"/>
    public int Consume<THandler>(ref THandler handler) where THandler : IRecordHandler, allows ref struct
    {
        EnterConsumer();
        try
        {
            return Drain(ref handler);
        }
        finally
        {
            ExitConsumer();
        }
    }

    /// <summary>
    /// Makes a <c>Poll</c> blocked on another thread return now (with the records available, often 0); when
    /// no thread is waiting, the next <c>Poll</c> returns at once instead.
    /// </summary>
    public void Wake()
    {
        if (!Resources.TryAddRef()) return;
        try
        {
            Waiter.Wake();
        }
        finally
        {
            Resources.DangerousRelease();
        }
    }

    /// <summary>
    /// Hands every available record of every source to the handler, in order within each source; returns
    /// the number handled. Runs under the consumer lock with a reference on <see cref="Resources"/>.
    /// </summary>
    private protected abstract int Drain<THandler>(ref THandler handler) where THandler : IRecordHandler, allows ref struct;

    /// <summary>Runs once, at the start of <see cref="Dispose"/>, with the resources still usable.</summary>
    private protected virtual void OnDisposing()
    {
    }

    /// <summary>
    /// Unmaps the buffers and closes the fds this reader opened (not the maps). A thread blocked in <c>Poll</c>
    /// is woken and returns 0; the memory is unmapped once it has left. Later calls throw
    /// <see cref="ObjectDisposedException"/>; an async stream ends.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (Resources.TryAddRef())
        {
            try
            {
                OnDisposing();
                Waiter.Wake();
            }
            finally
            {
                Resources.DangerousRelease();
            }
        }
        Resources.Dispose();
    }

    /// <summary>Takes a reference on the shared memory, then the consumer lock.</summary>
    private protected void EnterConsumer()
    {
        if (_consumer.IsHeldByCurrentThread)
            throw new InvalidOperationException("Poll and Consume cannot be called from inside a record handler of the same reader.");
        ObjectDisposedException.ThrowIf(IsDisposed || !Resources.TryAddRef(), this);
        _consumer.Enter();
        if (IsDisposed)
        {
            ExitConsumer();
            throw new ObjectDisposedException(GetType().FullName);
        }
        if (Volatile.Read(ref _streaming) != 0)
        {
            ExitConsumer();
            throw new InvalidOperationException("Poll and Consume cannot be called while a batch stream (ReadBatchesAsync) is enumerated: it holds the records in place.");
        }
    }

    private protected void ExitConsumer()
    {
        _consumer.Exit();
        Resources.DangerousRelease();
    }

    /// <summary>A reference on the shared memory for a call outside the consumer lock (positions, pause).</summary>
    private protected ResourceUse UseResources()
    {
        ObjectDisposedException.ThrowIf(IsDisposed || !Resources.TryAddRef(), this);
        return new ResourceUse(Resources);
    }

    internal static int ToMilliseconds(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return -1;
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
    }
}
