namespace BpfSharp.Events;

/// <summary>
/// Space reserved in a user ring buffer by <see cref="UserRingBufferWriter.TryReserve(int, out UserRingBufferReservation)"/>:
/// write the record into <see cref="Span"/>, then <see cref="Submit"/> it (or <see cref="Discard"/> it). The kernel's
/// consumer stops at the first record neither submitted nor discarded, so every reservation must end in one
/// of the two, exactly once; a copy of this struct must not be completed again.
/// </summary>
public unsafe ref struct UserRingBufferReservation
{
    private UserRingBufferWriter? _writer;
    private readonly uint* _header;
    private Span<byte> _span;

    internal UserRingBufferReservation(UserRingBufferWriter writer, uint* header, int length)
    {
        _writer = writer;
        _header = header;
        _span = new Span<byte>(header + 2, length);
    }

    /// <summary>The record's bytes, in the ring's shared memory; empty once submitted or discarded.</summary>
    public readonly Span<byte> Span => _span;

    /// <summary>The record's length in bytes.</summary>
    public readonly int Length => _span.Length;

    /// <summary>Whether the reservation still waits for <see cref="Submit"/> or <see cref="Discard"/>.</summary>
    public readonly bool IsPending => _writer is not null;

    /// <summary>Hands the record to the kernel: the next <c>bpf_user_ringbuf_drain</c> passes it to its callback.</summary>
    public void Submit() => Complete(discard: false);

    /// <summary>Gives the space back: the kernel skips the record.</summary>
    public void Discard() => Complete(discard: true);

    private void Complete(bool discard)
    {
        var writer = _writer ?? throw new InvalidOperationException("The reservation was already submitted or discarded (or was never made).");
        _writer = null;
        _span = default;
        writer.Commit(_header, discard);
    }
}
