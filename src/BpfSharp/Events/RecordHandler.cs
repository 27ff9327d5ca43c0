namespace BpfSharp.Events;

/// <summary>
/// Receives one record in place, in the kernel's shared memory. The span is valid only during the call: the
/// space is handed back to the kernel as soon as the handler returns, so copy what must outlive it.
/// </summary>
public delegate void RecordHandler(ReadOnlySpan<byte> record);

/// <summary>
/// Like <see cref="RecordHandler"/>, with where the record came from: the ring's index in a
/// <see cref="RingBufferReader"/>, the CPU in a <see cref="PerfBufferReader"/>.
/// </summary>
public delegate void RecordSourceHandler(int source, ReadOnlySpan<byte> record);

/// <summary>
/// A record handler the JIT can specialise and inline: pass a struct (or ref struct) implementing it by
/// reference to <see cref="EventReader.Poll{THandler}(int, ref THandler)"/> or
/// <see cref="EventReader.Consume{THandler}(ref THandler)"/>; nothing is allocated or boxed, and the
/// handler's fields (counters, a destination span) are updated in the caller's variable.
/// </summary>
public interface IRecordHandler
{
    /// <summary>
    /// One record, in place; <paramref name="source"/> is the ring index or the CPU. The span is valid only
    /// during the call. An exception stops the reader after this record (which counts as consumed) and
    /// propagates to the caller of Poll or Consume.
    /// </summary>
    void OnRecord(int source, ReadOnlySpan<byte> record);
}

/// <summary>Adapts a <see cref="RecordHandler"/> delegate to the struct handler path without allocating.</summary>
internal readonly struct DelegateRecordHandler(RecordHandler handler) : IRecordHandler
{
    public void OnRecord(int source, ReadOnlySpan<byte> record) => handler(record);
}

/// <summary>Adapts a <see cref="RecordSourceHandler"/> delegate to the struct handler path without allocating.</summary>
internal readonly struct DelegateRecordSourceHandler(RecordSourceHandler handler) : IRecordHandler
{
    public void OnRecord(int source, ReadOnlySpan<byte> record) => handler(source, record);
}
