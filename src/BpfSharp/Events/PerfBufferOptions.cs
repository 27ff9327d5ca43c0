namespace BpfSharp.Events;

/// <summary>The optional parts of a <see cref="PerfBufferReader"/>.</summary>
public sealed class PerfBufferOptions
{
    /// <summary>
    /// The data pages of each CPU's ring, a power of two (the kernel adds one metadata page). A record
    /// (its 12 bytes of headers included) must fit in the ring, and at most 64 KiB. Default 64.
    /// </summary>
    public int PagesPerCpu { get; init; } = 64;

    /// <summary>
    /// Wake a waiting reader after this many records on a CPU (<c>wakeup_events</c>). Default 1: every
    /// record wakes it. Larger values save wake-ups; records below the count wait for the next wake-up or a
    /// Poll timeout (Poll always reads what is there).
    /// </summary>
    public int WakeupEvents { get; init; } = 1;

    /// <summary>
    /// When positive, wake a waiting reader once this many bytes are in a CPU's ring instead
    /// (<c>watermark</c> with <c>wakeup_watermark</c>); <see cref="WakeupEvents"/> is then not used.
    /// </summary>
    public int WakeupWatermark { get; init; }

    /// <summary>The CPUs to read; by default every online CPU below the map's <c>max_entries</c>.</summary>
    public IReadOnlyList<int>? Cpus { get; init; }

    /// <summary>
    /// Called on the polling thread when the kernel reports records it dropped on a CPU because the ring was
    /// full (or output was paused): the CPU and how many. The counts also add up in
    /// <see cref="PerfBufferReader.LostSamples"/>.
    /// </summary>
    public Action<int, long>? LostSamplesCallback { get; init; }
}
