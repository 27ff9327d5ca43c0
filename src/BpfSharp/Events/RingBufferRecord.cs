using System.Runtime.CompilerServices;

namespace BpfSharp.Events;

/// <summary>
/// The kernel's record format in BPF ring buffers (kernel and user): an 8-byte header, <c>u32 len</c> then
/// <c>u32 pg_off</c> (the kernel's own use), followed by the data; the whole record rounded up to 8 bytes.
/// The top two bits of <c>len</c> are flags.
/// </summary>
internal static class RingBufferRecord
{
    public const int HeaderSize = 8;

    /// <summary>The record is reserved but not committed yet: the consumer stops here until it clears.</summary>
    public const uint BusyBit = 1u << 31;

    /// <summary>The record was discarded: skipped over, never handed out.</summary>
    public const uint DiscardBit = 1u << 30;

    public const uint LengthMask = ~(BusyBit | DiscardBit);

    /// <summary>The space a record of <paramref name="length"/> data bytes takes: header plus data, rounded up to 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong TotalSize(uint length) => ((length & LengthMask) + HeaderSize + 7UL) & ~7UL;
}

/// <summary>
/// A snapshot of a BPF ring buffer's positions. Both only grow (they are byte counts since creation); the
/// ring offset is the position modulo <see cref="Size"/>.
/// </summary>
/// <param name="ConsumerPosition">How far user space (or, for a user ring buffer, the kernel) has consumed.</param>
/// <param name="ProducerPosition">How far records have been reserved (not necessarily committed).</param>
/// <param name="Size">The data area's size in bytes (the map's <c>max_entries</c>).</param>
public readonly record struct RingBufferPositions(ulong ConsumerPosition, ulong ProducerPosition, long Size)
{
    /// <summary>The bytes between the two positions: records (and headers) not consumed yet.</summary>
    public long PendingBytes => (long)(ProducerPosition - ConsumerPosition);

    /// <summary>The bytes a producer can still reserve.</summary>
    public long FreeBytes => Size - PendingBytes;
}
