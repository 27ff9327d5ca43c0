using System.Runtime.CompilerServices;

namespace BpfSharp.Events;

// Zero-copy async streams: the consumer's own await foreach takes the records in place, a ring's worth at a time,
// and hands them back to the kernel when it asks for the next batch. No thread sits between the rings and the
// consumer: a waiting thread is only involved when every ring is empty. A consumer that does not ask for the next
// batch keeps the ring's space, the ring fills and the kernel drops new records: back-pressure ends in the kernel.
public abstract partial class EventReader
{
    // 1 while a batch stream is enumerated: Poll and Consume would hand out the records the stream holds in place.
    private int _streaming;

    /// <summary>
    /// Every record from now on, in batches read in place (see <see cref="EventBatch"/>): one batch is what one ring
    /// (or one CPU's ring) holds when the stream comes to it, in order within the ring; the rings take turns. A batch
    /// is handed back to the kernel when the consumer asks for the next one or ends the enumeration (break,
    /// exception, <c>DisposeAsync</c>). When every ring is empty the stream waits without blocking a thread of the
    /// pool. Cancellation throws <see cref="OperationCanceledException"/>; <see cref="Dispose"/> ends the stream
    /// (the mapped memory stays until the enumeration has ended). One stream at a time, and no Poll or Consume while
    /// it is enumerated (<see cref="InvalidOperationException"/>).
    /// </summary>
    /// <example>
    /// <code>
    /// await foreach (var batch in reader.ReadBatchesAsync(token))
    ///     foreach (ReadOnlySpan&lt;byte&gt; record in batch) Handle(record);
    /// </code>
    /// </example>
    public IAsyncEnumerable<EventBatch> ReadBatchesAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return StreamBatchesAsync(cancellationToken);
    }

    private async IAsyncEnumerable<EventBatch> StreamBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _streaming, 1, 0) != 0)
            throw new InvalidOperationException("this reader is already enumerated by another batch stream");
        if (IsDisposed || !Resources.TryAddRef())
        {
            Volatile.Write(ref _streaming, 0);
            throw new ObjectDisposedException(GetType().FullName);
        }
        var batch = new EventBatch();
        StreamWait? wait = null;
        // A cancellation wakes a waiting stream, which then sees the token.
        var registration = cancellationToken.UnsafeRegister(static state => ((EventReader)state!).Wake(), this);
        try
        {
            int next = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (IsDisposed) yield break;
                if (TryTakeBatch(ref next, batch))
                {
                    yield return batch;
                    ReleaseBatch(batch);
                    continue;
                }
                wait ??= new StreamWait(this);
                await wait.WaitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (batch.IsLive) ReleaseBatch(batch);
            registration.Dispose();
            wait?.Dispose();
            // A wake meant for this stream (cancellation) should not make a later Poll return early.
            if (!IsDisposed) Waiter.ClearWake();
            Resources.DangerousRelease();
            Volatile.Write(ref _streaming, 0);
        }
    }

    /// <summary>Takes the next non-empty batch, trying each source once from <paramref name="next"/> on.</summary>
    private bool TryTakeBatch(ref int next, EventBatch batch)
    {
        int sources = SourceCount;
        // Serialises with a Poll or Consume that was running when the stream started.
        lock (_consumer)
        {
            for (int i = 0; i < sources; i++)
            {
                int source = next;
                next = next + 1 == sources ? 0 : next + 1;
                if (TryOpenBatch(source, batch))
                {
                    batch.IsLive = true;
                    return true;
                }
            }
        }
        return false;
    }

    private void ReleaseBatch(EventBatch batch)
    {
        batch.IsLive = false;
        CloseBatch(batch);
    }

    /// <summary>The stream's wait, on its waiting thread: returns when a ring may have records or a wake came.</summary>
    internal void WaitForRecords()
    {
        Span<int> tokens = stackalloc int[EventWaiter.MaxEvents];
        int ready = Waiter.Wait(tokens, -1);
        // Disposing leaves the eventfd set, so that every later wait returns at once too.
        if (tokens[..ready].Contains(EventWaiter.WakeToken) && !IsDisposed) Waiter.ClearWake();
    }

    /// <summary>The number of rings (or CPUs) a stream takes turns on.</summary>
    private protected abstract int SourceCount { get; }

    /// <summary>
    /// Fills <paramref name="batch"/> with the records source <paramref name="index"/> holds now (its range, count,
    /// source); false when it holds none. Positions of records that are not handed out (discarded, lost reports) are
    /// handed back at once.
    /// </summary>
    private protected abstract bool TryOpenBatch(int index, EventBatch batch);

    /// <summary>Hands the batch's space back to the kernel.</summary>
    private protected abstract void CloseBatch(EventBatch batch);
}
