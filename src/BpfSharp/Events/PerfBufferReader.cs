using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Interop;

namespace BpfSharp.Events;

/// <summary>
/// Reads the records BPF programs write with <c>bpf_perf_event_output</c> into a
/// <see cref="BpfMapType.PerfEventArray"/> map. For each CPU it opens a <c>PERF_COUNT_SW_BPF_OUTPUT</c>
/// software event with its own ring and stores the event in the map at the CPU's index (so programs
/// write with <c>BPF_F_CURRENT_CPU</c>). Records come in order within each CPU, not across CPUs.
/// </summary>
/// <remarks>
/// A record reaches the handler as the program's data followed by up to 7 bytes of zero padding: the kernel
/// pads the raw sample to 8 bytes and does not keep the original length. The data starts 4 bytes past an
/// 8-byte boundary, so read its fields unaligned (<c>MemoryMarshal.Read</c>). Records the kernel could not store
/// (ring full, output paused) are counted in <see cref="LostSamples"/>; the kernel reports them with the
/// next record it can store on that CPU. Disposing removes this reader's events from the map.
/// </remarks>
public sealed unsafe class PerfBufferReader : EventReader
{
    private struct CpuRing
    {
        public int Cpu;
        public PerfEventMmapPage* Meta;
        public byte* Data;
        public ulong Size;
        public long Lost;
    }

    /// <summary>A record's size is a u16: any record fits in this scratch buffer.</summary>
    private const int MaxRecordSize = ushort.MaxValue;

    /// <summary>A sample's headers: perf_event_header, then the raw data's u32 size.</summary>
    internal static readonly int SampleHeaderSize = sizeof(PerfEventHeader) + 4;

    /// <summary>PERF_RECORD_LOST: perf_event_header, u64 id, u64 lost.</summary>
    private static readonly int LostRecordSize = sizeof(PerfEventHeader) + 16;

    private readonly BpfMap _map;
    private readonly int[] _cpus;
    private readonly CpuRing[] _rings;
    private readonly SafeFdHandle[] _events;
    private readonly Action<int, long>? _lostCallback;
    private int _installed;
    private long _lostTotal;
    /// <summary>Where a record that wraps around the ring's end is made contiguous; allocated with the reader, not while reading.</summary>
    private readonly byte[] _scratch = GC.AllocateArray<byte>(MaxRecordSize, pinned: true);

    /// <summary>
    /// Opens a perf event and its ring on each CPU and stores the events in <paramref name="map"/> (a
    /// <see cref="BpfMapType.PerfEventArray"/>, which stays the caller's to dispose).
    /// </summary>
    public PerfBufferReader(BpfMap map, PerfBufferOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        options ??= new PerfBufferOptions();
        if (map.Type != BpfMapType.PerfEventArray)
            throw new ArgumentException($"{map} is not a perf event array (BpfMapType.PerfEventArray)", nameof(map));
        if (options.PagesPerCpu <= 0 || !int.IsPow2(options.PagesPerCpu))
            throw new ArgumentOutOfRangeException(nameof(options), options.PagesPerCpu, "PagesPerCpu must be a power of two");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WakeupEvents, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.WakeupWatermark, nameof(options));
        _map = map;
        _lostCallback = options.LostSamplesCallback;
        _cpus = options.Cpus?.ToArray() ?? Interop.Cpus.Online().Where(c => c < map.MaxEntries).ToArray();
        if (_cpus.Length == 0) throw new ArgumentException("no CPU to read", nameof(options));
        foreach (int cpu in _cpus)
        {
            if (cpu < 0 || cpu >= map.MaxEntries)
                throw new ArgumentOutOfRangeException(nameof(options), cpu, $"CPU {cpu} has no slot in {map} ({map.MaxEntries} entries)");
        }
        _rings = new CpuRing[_cpus.Length];
        _events = new SafeFdHandle[_cpus.Length];
        try
        {
            for (int i = 0; i < _cpus.Length; i++) Open(i, options);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Open(int slot, PerfBufferOptions options)
    {
        int cpu = _cpus[slot];
        var what = $"perf buffer \"{_map.Name}\" CPU {cpu}";
        var attr = new PerfEventAttr
        {
            type = PerfEvent.PERF_TYPE_SOFTWARE,
            config = PerfEvent.PERF_COUNT_SW_BPF_OUTPUT,
            sample_type = PerfEvent.PERF_SAMPLE_RAW,
            sample_period = 1,
            wakeup_events = (uint)options.WakeupEvents,
        };
        if (options.WakeupWatermark > 0)
        {
            attr.flags |= PerfEventAttrFlags.Watermark;
            attr.wakeup_events = (uint)options.WakeupWatermark; // wakeup_watermark shares the place
        }
        // pid -1 with a CPU: the event counts on that CPU for every task, which is what bpf_perf_event_output
        // requires (it refuses an event that is not active on the CPU running the program).
        var fd = Resources.Own(PerfEvent.Open(ref attr, -1, cpu, what));
        _events[slot] = fd;

        // One metadata page (struct perf_event_mmap_page), then the data pages. A writable mapping is what
        // tells the kernel we consume through data_tail, so it never overwrites records we have not read.
        int page = Libc.PageSize;
        var meta = (PerfEventMmapPage*)Resources.Map(fd, (long)(1 + options.PagesPerCpu) * page, Libc.PROT_READ | Libc.PROT_WRITE, 0, what);
        ulong dataOffset = meta->data_offset;
        ulong dataSize = meta->data_size;
        if (dataSize == 0)
        {
            // Kernels before 4.1 leave these fields zero: the data starts on the second page.
            dataOffset = (ulong)page;
            dataSize = (ulong)options.PagesPerCpu * (ulong)page;
        }
        _rings[slot] = new CpuRing { Cpu = cpu, Meta = meta, Data = (byte*)meta + dataOffset, Size = dataSize };

        using (var use = new HandleUse(fd)) _map.Update(cpu, (int)use.Fd);
        _installed = slot + 1;
        Waiter.Add(fd, Libc.EPOLLIN, slot, what);
    }

    /// <summary>The CPUs read; a handler's source is one of them.</summary>
    public IReadOnlyList<int> Cpus => _cpus;

    /// <summary>The map the events are stored in.</summary>
    public BpfMap Map => _map;

    /// <summary>The records the kernel reported lost so far, over all CPUs.</summary>
    public long LostSamples => Interlocked.Read(ref _lostTotal);

    /// <summary>Whether output is paused (<see cref="Pause"/>).</summary>
    public bool IsPaused { get; private set; }

    /// <summary>The records the kernel reported lost so far on <paramref name="cpu"/>.</summary>
    public long GetLostSamples(int cpu)
    {
        int slot = Array.IndexOf(_cpus, cpu);
        if (slot < 0) throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "this reader does not read that CPU");
        return Volatile.Read(ref _rings[slot].Lost);
    }

    /// <summary>
    /// The bytes waiting in <paramref name="cpu"/>'s ring now (records with their headers).
    /// </summary>
    public long GetPendingBytes(int cpu)
    {
        int slot = Array.IndexOf(_cpus, cpu);
        if (slot < 0) throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "this reader does not read that CPU");
        using var use = UseResources();
        ref readonly var ring = ref _rings[slot];
        return (long)(Volatile.Read(ref ring.Meta->data_head) - Volatile.Read(ref ring.Meta->data_tail));
    }

    /// <summary>
    /// Stops the kernel from writing into the rings (<c>PERF_EVENT_IOC_PAUSE_OUTPUT</c>): programs' writes fail
    /// and count as lost, reported after <see cref="Resume"/> with the next record stored. Records already in
    /// the rings can still be read.
    /// </summary>
    public void Pause() => SetPaused(true);

    /// <summary>Lets the kernel write into the rings again.</summary>
    public void Resume() => SetPaused(false);

    private void SetPaused(bool paused)
    {
        using var use = UseResources();
        for (int i = 0; i < _events.Length; i++)
            PerfEvent.Ioctl(_events[i], PerfEvent.PERF_EVENT_IOC_PAUSE_OUTPUT, paused ? 1 : 0, $"perf buffer \"{_map.Name}\" CPU {_cpus[i]}");
        IsPaused = paused;
    }

    private protected override void OnDisposing()
    {
        // The map holds a reference to each event: remove ours, so the events go away with this reader
        // rather than with the map (and programs' writes fail with ENOENT instead of landing nowhere).
        for (int i = 0; i < _installed; i++)
        {
            try
            {
                _map.Delete(_cpus[i]);
            }
            catch (Exception e) when (e is BpfException or ObjectDisposedException)
            {
                // The map is gone, or the slot was changed by someone else: nothing to undo.
            }
        }
    }

    private protected override int Drain<THandler>(ref THandler handler)
    {
        int total = 0;
        for (int i = 0; i < _rings.Length; i++) total += DrainRing(ref _rings[i], ref handler);
        return total;
    }

    private protected override int SourceCount => _rings.Length;

    private protected override bool TryOpenBatch(int slot, EventBatch batch)
    {
        ref var ring = ref _rings[slot];
        ulong* tailPosition = &ring.Meta->data_tail;
        while (true)
        {
            // Acquire: the records up to data_head are visible. Only this reader writes data_tail.
            ulong head = Volatile.Read(ref ring.Meta->data_head);
            ulong tail = *tailPosition;
            if (tail >= head) return false;
            // The batch is everything up to data_head, read once, as it is enumerated. Only the first record is looked
            // at here: a batch starts with a sample; a lost-records report before it is taken now.
            ulong offset = tail & (ring.Size - 1);
            var header = (PerfEventHeader*)(ring.Data + offset);
            int size = header->size;
            if (header->type != PerfEvent.PERF_RECORD_SAMPLE || size < SampleHeaderSize)
            {
                if (size < sizeof(PerfEventHeader)) ThrowCorrupt(size, ring.Cpu, tail);
                byte* start = offset + (ulong)size > ring.Size ? Unwrap(ring.Data, (byte*)header, (int)(ring.Size - offset), size) : (byte*)header;
                if (((PerfEventHeader*)start)->type == PerfEvent.PERF_RECORD_LOST && size >= LostRecordSize) OnLost(ref ring, start);
                Volatile.Write(ref *tailPosition, tail + (ulong)size);
                continue;
            }
            batch.Data = ring.Data;
            batch.Mask = ring.Size - 1;
            batch.Start = tail;
            batch.End = head;
            batch.Verified = tail;
            batch.LostSeen = tail;
            batch.KnownCount = -1;
            batch.IsPerf = true;
            batch.PerfReader = this;
            batch.Source = ring.Cpu;
            _batchSlot = slot;
            return true;
        }
    }

    private int _batchSlot;

    /// <summary>
    /// A batch's record that is not a plain sample, reached by its enumerator: a sample that runs past the ring's end
    /// comes back copied into the scratch buffer (at most one per batch: a batch is at most a ring long), a lost-records
    /// report is counted the first time it is reached and skipped (null), as is any other record.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal byte* BatchRareRecord(EventBatch batch, ulong position, ulong offset, int size)
    {
        ref var ring = ref _rings[_batchSlot];
        if (size < sizeof(PerfEventHeader)) ThrowCorrupt(size, ring.Cpu, position);
        byte* start = ring.Data + offset;
        if (offset + (ulong)size > ring.Size) start = Unwrap(ring.Data, start, (int)(ring.Size - offset), size);
        uint type = ((PerfEventHeader*)start)->type;
        if (type == PerfEvent.PERF_RECORD_SAMPLE && size >= SampleHeaderSize) return start;
        if (type == PerfEvent.PERF_RECORD_LOST && size >= LostRecordSize && position >= batch.LostSeen)
        {
            batch.LostSeen = position + (ulong)size;
            OnLost(ref ring, start);
        }
        return null;
    }

    // Release, as at the end of a drain pass: the consumer's reads happen before the kernel sees the space free.
    private protected override void CloseBatch(EventBatch batch)
    {
        // Records the consumer did not enumerate are consumed too (their lost-record reports counted).
        batch.VerifyAll();
        Volatile.Write(ref _rings[_batchSlot].Meta->data_tail, batch.End);
    }

    /// <summary>Reads one CPU's ring from data_tail up to data_head, as it was when the pass began.</summary>
    private int DrainRing<THandler>(ref CpuRing ring, ref THandler handler) where THandler : IRecordHandler, allows ref struct
    {
        ulong* tailPosition = &ring.Meta->data_tail;
        // Acquire: the kernel writes records, then publishes data_head; the records up to it are visible.
        ulong head = Volatile.Read(ref ring.Meta->data_head);
        // Only this reader writes data_tail.
        ulong tail = *tailPosition;
        int count = 0;
        try
        {
            while (true)
            {
                count += DrainSamples(ring.Data, ring.Size, ring.Cpu, head, ref tail, ref handler);
                if (tail >= head) return count;
                count += RareRecord(ref ring, ref handler, ref tail);
            }
        }
        finally
        {
            // Release, once per pass as libbpf does: the reads of the records (the handlers' too) happen before the
            // kernel sees their space free. After a handler threw, the record it was given counts as consumed.
            Volatile.Write(ref *tailPosition, tail);
        }
    }

    /// <summary>
    /// The hot loop: hands out samples that lie whole in the ring and stops at the first other record (a lost-records
    /// report, a sample that wraps around the ring's end, a corrupt header), which <see cref="RareRecord"/> takes.
    /// Nothing in this loop calls out but the handler: with a call on any path the JIT keeps the loop's variables on the
    /// stack, and the stores and reloads of the position on the per-record dependency chain cost about a fifth of the
    /// time per 1 KiB record (measured against libbpf's loop).
    /// </summary>
    private static int DrainSamples<THandler>(byte* data, ulong ringSize, int cpu, ulong head, ref ulong committed, ref THandler handler)
        where THandler : IRecordHandler, allows ref struct
    {
        ulong tail = committed;
        int count = 0;
        while (tail < head)
        {
            ulong offset = tail & (ringSize - 1);
            var header = (PerfEventHeader*)(data + offset);
            // Records are 8-byte multiples, so the header itself never wraps.
            uint size = header->size;
            if (header->type != PerfEvent.PERF_RECORD_SAMPLE || size < (uint)SampleHeaderSize || offset + size > ringSize) break;
            tail += size;
            committed = tail;
            // PERF_SAMPLE_RAW only: u32 size, then the raw bytes (the program's data, zero-padded).
            uint raw = Math.Min(*(uint*)(header + 1), size - (uint)SampleHeaderSize);
            handler.OnRecord(cpu, new ReadOnlySpan<byte>((byte*)header + SampleHeaderSize, (int)raw));
            count++;
        }
        return count;
    }

    /// <summary>Takes the record at <paramref name="tail"/> that <see cref="DrainSamples"/> stopped at; returns the samples handed out (0 or 1).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int RareRecord<THandler>(ref CpuRing ring, ref THandler handler, ref ulong tail)
        where THandler : IRecordHandler, allows ref struct
    {
        ulong offset = tail & (ring.Size - 1);
        byte* start = ring.Data + offset;
        var header = (PerfEventHeader*)start;
        uint type = header->type;
        int size = header->size;
        if (size < sizeof(PerfEventHeader)) ThrowCorrupt(size, ring.Cpu, tail);
        if (offset + (ulong)size > ring.Size) start = Unwrap(ring.Data, start, (int)(ring.Size - offset), size);
        tail += (ulong)size;
        if (type == PerfEvent.PERF_RECORD_SAMPLE && size >= SampleHeaderSize)
        {
            uint raw = Math.Min(*(uint*)(start + sizeof(PerfEventHeader)), (uint)(size - SampleHeaderSize));
            handler.OnRecord(ring.Cpu, new ReadOnlySpan<byte>(start + SampleHeaderSize, (int)raw));
            return 1;
        }
        if (type == PerfEvent.PERF_RECORD_LOST && size >= LostRecordSize) OnLost(ref ring, start);
        return 0;
    }

    // The loop's rare paths, out of line so that they do not take registers from it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnLost(ref CpuRing ring, byte* record)
    {
        // u64 id, u64 lost: how many records could not be stored since the last report.
        long lost = Unsafe.ReadUnaligned<long>(record + sizeof(PerfEventHeader) + 8);
        ring.Lost += lost;
        Interlocked.Add(ref _lostTotal, lost);
        _lostCallback?.Invoke(ring.Cpu, lost);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCorrupt(int size, int cpu, ulong position) =>
        throw new BpfException("perf buffer", $"corrupt record header (size {size}) on CPU {cpu} at {position}");

    /// <summary>Copies a record that runs past the ring's end into the scratch buffer (perf rings are mapped once).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* Unwrap(byte* data, byte* start, int firstPart, int size)
    {
        var scratch = _scratch;
        new ReadOnlySpan<byte>(start, firstPart).CopyTo(scratch);
        new ReadOnlySpan<byte>(data, size - firstPart).CopyTo(scratch.AsSpan(firstPart));
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(scratch));
    }
}
