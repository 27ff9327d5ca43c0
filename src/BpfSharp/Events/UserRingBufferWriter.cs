using System.Runtime.InteropServices;
using BpfSharp.Interop;
using static BpfSharp.Events.RingBufferRecord;

namespace BpfSharp.Events;

/// <summary>
/// Writes records into a <see cref="BpfMapType.UserRingBuf"/> map for BPF programs to drain with
/// <c>bpf_user_ringbuf_drain</c> (Linux 6.1). Reserve space, fill it in place, submit:
/// <code>
/// var r = writer.Reserve(16, TimeSpan.FromSeconds(1));
/// BinaryPrimitives.WriteInt64LittleEndian(r.Span, 42);
/// r.Submit();
/// </code>
/// Safe to use from several threads. Disposing while another thread waits in <c>Reserve</c> makes that call
/// throw <see cref="ObjectDisposedException"/>; the memory stays mapped until every pending reservation is
/// completed.
/// </summary>
public sealed unsafe class UserRingBufferWriter : IDisposable
{
    private readonly EventResources _resources = new();
    private readonly EventWaiter _waiter;
    private readonly Lock _producer = new();
    private readonly Lock _waiting = new();
    private readonly ulong* _consumerPosition;
    private readonly ulong* _producerPosition;
    private readonly byte* _data;
    private readonly ulong _mask;
    private int _disposed;

    /// <summary>
    /// Maps the ring of <paramref name="map"/>: the consumer page read-only (the kernel consumes), the producer
    /// page and data writable. The map stays the caller's to dispose.
    /// </summary>
    public UserRingBufferWriter(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.UserRingBuf)
            throw new ArgumentException($"{map} is not a user ring buffer (BpfMapType.UserRingBuf)", nameof(map));
        Map = map;
        Size = map.MaxEntries;
        var what = $"user ring buffer \"{map.Name}\"";
        try
        {
            _waiter = new EventWaiter(_resources);
            int page = Libc.PageSize;
            _consumerPosition = (ulong*)_resources.Map(map.Handle, page, Libc.PROT_READ, 0, what);
            // The data pages follow the producer page twice in a row, so a record that wraps is contiguous.
            byte* producer = _resources.Map(map.Handle, page + 2 * Size, Libc.PROT_READ | Libc.PROT_WRITE, page, what);
            _producerPosition = (ulong*)producer;
            _data = producer + page;
            _mask = (ulong)Size - 1;
            // The kernel reports EPOLLOUT whenever the ring is not full, even when the space is too small for the
            // record waited for: edge-triggered, a wait returns only after the kernel drained something.
            _waiter.Add(map.Handle, Libc.EPOLLOUT | Libc.EPOLLET, 0, what);
        }
        catch
        {
            _resources.Dispose();
            throw;
        }
    }

    /// <summary>The map written to.</summary>
    public BpfMap Map { get; }

    /// <summary>The ring's data size in bytes (the map's <c>max_entries</c>).</summary>
    public long Size { get; }

    /// <summary>The largest record the ring can take (its size less one 8-byte header).</summary>
    public int MaxRecordSize => (int)Math.Min(Size - HeaderSize, LengthMask);

    /// <summary>Whether the writer has been disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The ring's positions now: the kernel's consumer position and ours.</summary>
    public RingBufferPositions GetPositions()
    {
        using var use = Use();
        return new RingBufferPositions(Volatile.Read(ref *_consumerPosition), Volatile.Read(ref *_producerPosition), Size);
    }

    /// <summary>
    /// Reserves <paramref name="size"/> bytes if the ring has room now; false when it is full.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The record can never fit (larger than <see cref="MaxRecordSize"/>).</exception>
    public bool TryReserve(int size, out UserRingBufferReservation reservation)
    {
        if ((uint)size > (uint)MaxRecordSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"a record must be 0 to {MaxRecordSize} bytes for a {Size}-byte ring");
        reservation = default;
        var use = Use();
        bool reserved = false;
        try
        {
            ulong total = TotalSize((uint)size);
            lock (_producer)
            {
                // Acquire: pairs with the kernel's release of the consumer position after it drained records;
                // the space before that position is no longer read and may be written again.
                ulong consumer = Volatile.Read(ref *_consumerPosition);
                // Only this writer moves the producer position (under this lock).
                ulong producer = *_producerPosition;
                if ((ulong)Size - (producer - consumer) < total) return false;
                uint* header = (uint*)(_data + (producer & _mask));
                header[0] = (uint)size | BusyBit;
                header[1] = 0;
                // Release: the busy header is visible before the kernel sees the new producer position, so the
                // kernel stops at this record until it is submitted.
                Volatile.Write(ref *_producerPosition, producer + total);
                reservation = new UserRingBufferReservation(this, header, size);
                reserved = true;
                return true;
            }
        }
        finally
        {
            // A reservation keeps its reference (the memory stays mapped) until it is submitted or discarded.
            if (!reserved) use.Dispose();
        }
    }

    /// <summary>
    /// Reserves <paramref name="size"/> bytes, waiting up to <paramref name="timeout"/> for the kernel to
    /// drain enough; false when the time ran out.
    /// </summary>
    public bool TryReserve(int size, TimeSpan timeout, out UserRingBufferReservation reservation)
    {
        if (TryReserve(size, out reservation)) return true;
        int timeoutMs = EventReader.ToMilliseconds(timeout);
        if (timeoutMs == 0) return false;
        long start = Environment.TickCount64;
        // One waiter at a time: an edge-triggered epoll wakes a single waiter per drain; the others queue here.
        if (!_waiting.TryEnter(timeoutMs)) return false;
        try
        {
            using var use = Use();
            Span<int> tokens = stackalloc int[4];
            while (true)
            {
                if (TryReserve(size, out reservation)) return true;
                int wait = timeoutMs < 0 ? -1 : (int)Math.Max(0, timeoutMs - (Environment.TickCount64 - start));
                if (wait == 0) return false;
                int n = _waiter.Wait(tokens, wait);
                if (tokens[..n].Contains(EventWaiter.WakeToken))
                {
                    // Only Dispose wakes a writer (and leaves the eventfd set for every other waiter).
                    ObjectDisposedException.ThrowIf(IsDisposed, this);
                    _waiter.ClearWake();
                }
            }
        }
        finally
        {
            _waiting.Exit();
        }
    }

    /// <summary>Reserves <paramref name="size"/> bytes, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <exception cref="TimeoutException">The ring had no room for the record within the timeout.</exception>
    public UserRingBufferReservation Reserve(int size, TimeSpan timeout)
    {
        if (!TryReserve(size, timeout, out var reservation))
            throw new TimeoutException($"user ring buffer \"{Map.Name}\" had no room for {size} bytes within {timeout}");
        return reservation;
    }

    /// <summary>Copies <paramref name="record"/> into the ring and submits it, if there is room now.</summary>
    public bool TryWrite(ReadOnlySpan<byte> record)
    {
        if (!TryReserve(record.Length, out var reservation)) return false;
        record.CopyTo(reservation.Span);
        reservation.Submit();
        return true;
    }

    /// <summary>Writes <paramref name="value"/> as one record, if there is room now.</summary>
    public bool TryWrite<T>(in T value) where T : unmanaged =>
        TryWrite(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    /// <summary>Copies <paramref name="record"/> into the ring and submits it, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <exception cref="TimeoutException">The ring had no room within the timeout.</exception>
    public void Write(ReadOnlySpan<byte> record, TimeSpan timeout)
    {
        var reservation = Reserve(record.Length, timeout);
        record.CopyTo(reservation.Span);
        reservation.Submit();
    }

    internal void Commit(uint* header, bool discard)
    {
        uint length = *header & ~BusyBit;
        if (discard) length |= DiscardBit;
        // An atomic exchange (a full barrier): the record's bytes are visible before the kernel, loading the
        // header with acquire, sees the busy bit clear.
        Interlocked.Exchange(ref *header, length);
        _resources.DangerousRelease();
    }

    /// <summary>
    /// Unmaps the ring (once every pending reservation is completed) and closes the epoll instance; a thread
    /// waiting in <c>Reserve</c> throws <see cref="ObjectDisposedException"/>. The map is not closed.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_resources.TryAddRef())
        {
            try
            {
                _waiter.Wake();
            }
            finally
            {
                _resources.DangerousRelease();
            }
        }
        _resources.Dispose();
    }

    private ResourceUse Use()
    {
        ObjectDisposedException.ThrowIf(IsDisposed || !_resources.TryAddRef(), this);
        return new ResourceUse(_resources);
    }
}
