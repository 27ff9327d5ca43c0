using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Interop;
using static BpfSharp.Events.RingBufferRecord;

namespace BpfSharp.Events;

/// <summary>
/// The records one ring (or one CPU's perf ring) held when the batch was taken, in place in the kernel's memory:
/// what <see cref="EventReader.ReadBatchesAsync"/> yields. Enumerate it with <c>foreach (ReadOnlySpan&lt;byte&gt;
/// record in batch)</c>, as often as needed, until the stream moves on: the whole batch is handed back to the kernel
/// when the consumer asks for the next one or ends the enumeration, so copy what must outlive the loop body.
/// </summary>
/// <remarks>
/// The stream reuses one batch object; enumerating it after the stream moved on throws
/// <see cref="InvalidOperationException"/>. Records skipped (a <c>break</c> out of the inner loop) are consumed too.
/// </remarks>
public sealed unsafe class EventBatch
{
    // The range of positions the batch covers; Mask is the ring's size - 1. Perf rings are mapped once, so the
    // one record that can run past the ring's end in a batch (the range is at most a ring long) is copied into a
    // scratch buffer when it is reached; ring buffers map their data twice and never need that.
    internal byte* Data;
    internal ulong Mask;
    internal ulong Start;
    internal ulong End;
    internal bool IsPerf;
    internal bool IsLive;
    // How far every header is known committed, and the number of records when known (-1: not counted yet). A ring
    // buffer batch is checked record by record as it is enumerated, not when it is taken: one pass, not two.
    internal ulong Verified;
    internal int KnownCount;
    // A perf batch: its reader (which reports lost records, once each: LostSeen) and copies wrapped records.
    internal PerfBufferReader? PerfReader;
    internal ulong LostSeen;

    internal EventBatch()
    {
    }

    /// <summary>Where the records came from: the ring's index in a <see cref="RingBufferReader"/>, the CPU in a <see cref="PerfBufferReader"/>.</summary>
    public int Source { get; internal set; }

    /// <summary>
    /// The number of records in the batch (discarded ring buffer records and lost-sample reports are not records).
    /// On a batch not enumerated yet this walks the records' headers once.
    /// </summary>
    public int Count
    {
        get
        {
            if (!IsLive) ThrowReleased();
            if (KnownCount < 0) KnownCount = CountRecords();
            return KnownCount;
        }
    }

    /// <summary>The records' bytes, headers included, that go back to the kernel when the batch is released.</summary>
    public long Bytes
    {
        get
        {
            if (!IsLive) ThrowReleased();
            VerifyAll();
            return (long)(End - Start);
        }
    }

    /// <summary>Makes sure every header up to <see cref="End"/> was seen committed (the range shrinks at a busy one).</summary>
    internal void VerifyAll()
    {
        if (Verified != End) KnownCount = CountRecords();
    }

    private int CountRecords()
    {
        int count = 0;
        var records = new Enumerator(this);
        while (records.MoveNext()) count++;
        return count;
    }

    /// <summary>The records, in order; each span is valid until the stream moves on.</summary>
    public Enumerator GetEnumerator()
    {
        if (!IsLive) ThrowReleased();
        return new Enumerator(this);
    }

    /// <summary>Each record's first <c>sizeof(T)</c> bytes as a <typeparamref name="T"/> (a shorter record throws <see cref="BpfFormatException"/>).</summary>
    public ValueEnumerable<T> As<T>() where T : unmanaged
    {
        if (!IsLive) ThrowReleased();
        return new ValueEnumerable<T>(this);
    }

    private static void ThrowReleased() =>
        throw new InvalidOperationException("the batch was released: its records are valid only until the stream yields the next batch or ends");

    /// <summary>Walks the batch's record headers; only rare records call out, so the loop stays in registers.</summary>
    public ref struct Enumerator
    {
        private readonly EventBatch _batch;
        private readonly byte* _data;
        private readonly ulong _mask;
        private ulong _end;
        private readonly bool _perf;
        private ulong _position;
        private ReadOnlySpan<byte> _current;

        internal Enumerator(EventBatch batch)
        {
            _batch = batch;
            _data = batch.Data;
            _mask = batch.Mask;
            _end = batch.End;
            _perf = batch.IsPerf;
            _position = batch.Start;
        }

        /// <summary>The record, in place.</summary>
        public readonly ReadOnlySpan<byte> Current => _current;

        /// <summary>Moves to the next record of the batch, skipping discarded ones; false past the last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext() => _perf ? MovePerf() : MoveRing();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool MoveRing()
        {
            while (_position < _end)
            {
                uint* header = (uint*)(_data + (_position & _mask));
                // Acquire: the kernel writes the record, then clears the busy bit; seen clear, the bytes are visible.
                // A busy record ends the batch there (order is kept: it comes first in the next one).
                uint length = Volatile.Read(ref *header);
                if ((length & BusyBit) != 0)
                {
                    _end = _position;
                    break;
                }
                _position += TotalSize(length);
                if ((length & DiscardBit) != 0) continue;
                _current = new ReadOnlySpan<byte>(header + 2, (int)(length & LengthMask));
                return true;
            }
            _batch.End = _batch.Verified = _end;
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool MovePerf()
        {
            while (_position < _end)
            {
                ulong offset = _position & _mask;
                var header = (PerfEventHeader*)(_data + offset);
                uint size = header->size;
                ulong at = _position;
                _position += size;
                if (header->type != PerfEvent.PERF_RECORD_SAMPLE || size < (uint)PerfBufferReader.SampleHeaderSize || offset + size > _mask + 1)
                {
                    // Out of line: a sample across the ring's end, a lost-records report, a corrupt header.
                    header = (PerfEventHeader*)_batch.PerfReader!.BatchRareRecord(_batch, at, offset, (int)size);
                    if (header == null) continue;
                }
                uint raw = Math.Min(*(uint*)(header + 1), size - (uint)PerfBufferReader.SampleHeaderSize);
                _current = new ReadOnlySpan<byte>((byte*)header + PerfBufferReader.SampleHeaderSize, (int)raw);
                return true;
            }
            _batch.Verified = _end;
            return false;
        }
    }

    /// <summary>The batch's records read as values: <c>foreach (T value in batch.As&lt;T&gt;())</c>.</summary>
    public readonly ref struct ValueEnumerable<T> where T : unmanaged
    {
        private readonly EventBatch _batch;

        internal ValueEnumerable(EventBatch batch) => _batch = batch;

        /// <summary>The enumerator <c>foreach</c> uses.</summary>
        public ValueEnumerator<T> GetEnumerator() => new(_batch);
    }

    /// <summary>Enumerates the records as <typeparamref name="T"/> values (read unaligned).</summary>
    public ref struct ValueEnumerator<T> where T : unmanaged
    {
        private Enumerator _records;

        internal ValueEnumerator(EventBatch batch) => _records = new Enumerator(batch);

        /// <summary>The record as a <typeparamref name="T"/>; a record shorter than <typeparamref name="T"/> throws.</summary>
        public readonly T Current
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                var record = _records.Current;
                if (record.Length < sizeof(T)) ValueConverter<T>.ThrowShort(record.Length);
                return Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(record));
            }
        }

        /// <summary>Moves to the next record; false past the last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext() => _records.MoveNext();
    }
}
