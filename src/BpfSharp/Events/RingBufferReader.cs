using BpfSharp.Interop;
using static BpfSharp.Events.RingBufferRecord;

namespace BpfSharp.Events;

/// <summary>
/// Reads the records BPF programs write into one or more <see cref="BpfMapType.RingBuf"/> maps
/// (<c>bpf_ringbuf_output</c>, <c>bpf_ringbuf_reserve</c>/<c>submit</c>), in place in the kernel's memory.
/// All rings share one epoll instance; records come in commit order within each ring.
/// </summary>
/// <example>
/// <code>
/// using var reader = new RingBufferReader(events);
/// while (!stop) reader.Poll(TimeSpan.FromSeconds(1), record => Handle(record));
/// </code>
/// </example>
public sealed unsafe class RingBufferReader : EventReader
{
    private struct Ring
    {
        public ulong* Consumer;
        public ulong* Producer;
        public byte* Data;
        public ulong Mask;
    }

    private readonly Ring[] _rings;
    private readonly BpfMap[] _maps;

    /// <summary>
    /// Maps the rings of <paramref name="maps"/> (each a <see cref="BpfMapType.RingBuf"/>): the consumer page
    /// writable, the producer page and data read-only. The maps stay the caller's to dispose; the mappings keep
    /// the kernel's rings alive as long as this reader does. Source index <c>i</c> in handlers is <c>maps[i]</c>.
    /// </summary>
    public RingBufferReader(params ReadOnlySpan<BpfMap> maps)
    {
        if (maps.IsEmpty) throw new ArgumentException("a ring buffer reader needs at least one map", nameof(maps));
        _maps = maps.ToArray();
        _rings = new Ring[_maps.Length];
        try
        {
            for (int i = 0; i < _maps.Length; i++) _rings[i] = Open(_maps[i], i);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private Ring Open(BpfMap map, int index)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.RingBuf)
            throw new ArgumentException($"{map} is not a ring buffer (BpfMapType.RingBuf)", nameof(map));
        long size = map.MaxEntries;
        int page = Libc.PageSize;
        var what = $"ring buffer \"{map.Name}\"";
        // The kernel's layout from offset 0: the consumer page (the only part user space may write), the
        // producer page, then the data pages, which it maps a second time right after the first. Mapping
        // 2 * size of data makes a record that runs past the ring's end contiguous in our address space.
        byte* consumer = Resources.Map(map.Handle, page, Libc.PROT_READ | Libc.PROT_WRITE, 0, what);
        byte* producer = Resources.Map(map.Handle, page + 2 * size, Libc.PROT_READ, page, what);
        Waiter.Add(map.Handle, Libc.EPOLLIN, index, what);
        return new Ring { Consumer = (ulong*)consumer, Producer = (ulong*)producer, Data = producer + page, Mask = (ulong)size - 1 };
    }

    /// <summary>The number of rings read; handlers receive indices 0 to <c>RingCount - 1</c>.</summary>
    public int RingCount => _rings.Length;

    /// <summary>The maps read, in source-index order.</summary>
    public IReadOnlyList<BpfMap> Maps => _maps;

    /// <summary>The positions of ring <paramref name="ring"/> now.</summary>
    public RingBufferPositions GetPositions(int ring = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)ring, (uint)_rings.Length, nameof(ring));
        using var use = UseResources();
        ref readonly var r = ref _rings[ring];
        ulong consumer = Volatile.Read(ref *r.Consumer);
        ulong producer = Volatile.Read(ref *r.Producer);
        return new RingBufferPositions(consumer, producer, (long)r.Mask + 1);
    }

    /// <summary>The bytes reserved by producers and not consumed yet, over all rings (headers included).</summary>
    public long PendingBytes
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _rings.Length; i++) total += GetPositions(i).PendingBytes;
            return total;
        }
    }

    private protected override int SourceCount => _rings.Length;

    private protected override bool TryOpenBatch(int index, EventBatch batch)
    {
        ref readonly var ring = ref _rings[index];
        while (true)
        {
            // Only this reader writes the consumer position. The release before (CloseBatch) ended with a full fence,
            // so the kernel sees our position before we look at its headers (see the fence in DrainRecords).
            ulong consumer = *ring.Consumer;
            ulong producer = Volatile.Read(ref *ring.Producer);
            if (consumer == producer) return false;
            // The batch is everything up to the producer position; its enumeration stops at the first busy record.
            // Here only the first record is looked at: busy, nothing yet; discarded, skipped.
            uint length = Volatile.Read(ref *(uint*)(ring.Data + (consumer & ring.Mask)));
            if ((length & BusyBit) != 0) return false;
            if ((length & DiscardBit) != 0)
            {
                Publish(ring.Consumer, consumer + TotalSize(length));
                continue;
            }
            batch.Data = ring.Data;
            batch.Mask = ring.Mask;
            batch.Start = consumer;
            batch.End = producer;
            batch.Verified = consumer;
            batch.KnownCount = -1;
            batch.IsPerf = false;
            batch.PerfReader = null;
            batch.Source = index;
            return true;
        }
    }

    private protected override void CloseBatch(EventBatch batch)
    {
        // Records the consumer did not enumerate are consumed too, up to the first busy one.
        batch.VerifyAll();
        Publish(_rings[batch.Source].Consumer, batch.End);
    }

    /// <summary>
    /// Release, then a full fence: the kernel wakes a reader only when, committing a record, it finds the consumer
    /// position at that record; the fence keeps our store from sitting unseen while we read that record as busy.
    /// </summary>
    private static void Publish(ulong* consumerPosition, ulong position) => Interlocked.Exchange(ref *consumerPosition, position);

    private protected override int Drain<THandler>(ref THandler handler)
    {
        int total = 0;
        for (int i = 0; i < _rings.Length; i++) total += DrainRing(in _rings[i], i, ref handler);
        return total;
    }

    /// <summary>One ring's pass; the consumer position is published even when a handler throws.</summary>
    private static int DrainRing<THandler>(in Ring ring, int index, ref THandler handler) where THandler : IRecordHandler, allows ref struct
    {
        ulong* consumerPosition = ring.Consumer;
        // Only this reader writes the consumer position, so a plain load sees its own last store.
        ulong consumer = *consumerPosition;
        try
        {
            return DrainRecords(ring.Data, ring.Mask, ring.Producer, consumerPosition, index, ref consumer, ref handler);
        }
        finally
        {
            // After a handler threw: the record it was given counts as consumed (it is not handed out again).
            Volatile.Write(ref *consumerPosition, consumer);
        }
    }

    /// <summary>
    /// The consumer loop, with the kernel's ordering rules at each shared access. It is kept apart from the
    /// try/finally above and takes the ring's fields as arguments: a local that lives across a protected region is
    /// written to the stack at every change, and fields read through a reference are read again after each
    /// handler's stores, which put a store and a reload of the position on every record's dependency chain.
    /// </summary>
    private static int DrainRecords<THandler>(byte* data, ulong mask, ulong* producerPosition, ulong* consumerPosition, int index,
        ref ulong committed, ref THandler handler) where THandler : IRecordHandler, allows ref struct
    {
        ulong consumer = committed;
        // One call hands out about one ring's worth at most, so a producer faster than the handler cannot keep
        // it here forever. Such an early return needs no fence: it reports records, so Poll returns instead of
        // waiting, and the next call drains again before it waits.
        ulong limit = consumer + mask + 1;
        int count = 0;
        while (true)
        {
            // Acquire: pairs with the kernel's release of the producer position at reserve time; every record
            // header up to it (written busy at reserve) is visible.
            ulong producer = Volatile.Read(ref *producerPosition);
            while (consumer < producer)
            {
                uint* header = (uint*)(data + (consumer & mask));
                // Acquire: the kernel writes the record, then clears the busy bit with an atomic exchange; seeing
                // it clear makes the record's bytes visible. A busy record stops us (and keeps the order).
                uint length = Volatile.Read(ref *header);
                if ((length & BusyBit) != 0) break;
                consumer += TotalSize(length);
                committed = consumer;
                if ((length & DiscardBit) == 0)
                {
                    // The second mapping of the data pages makes a record that wraps contiguous.
                    handler.OnRecord(index, new ReadOnlySpan<byte>(header + 2, (int)(length & LengthMask)));
                    count++;
                }
                // Release: every read of the record (the handler's too) happens before the kernel can see the
                // space as free and reuse it.
                Volatile.Write(ref *consumerPosition, consumer);
                if (consumer >= limit && count > 0) return count;
            }
            // Full fence before looking again. The kernel wakes the reader only when, after committing a
            // record, it finds the consumer position at that very record. Without the fence our store above
            // could still sit in this CPU's store buffer while we read the record as busy, and the kernel
            // (committing now) could read our old position: neither sees the other, no wake-up comes, and a
            // committed record waits for the next one.
            Interlocked.MemoryBarrier();
            if (consumer == Volatile.Read(ref *producerPosition)) return count;
            if ((Volatile.Read(ref *(uint*)(data + (consumer & mask))) & BusyBit) != 0) return count;
        }
    }
}
