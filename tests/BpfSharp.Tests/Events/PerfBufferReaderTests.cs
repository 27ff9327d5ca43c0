using System.Runtime.InteropServices;
using BpfSharp.Events;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Events.EventTestPrograms;

namespace BpfSharp.Tests.Events;

public class PerfBufferReaderTests
{
    private static BpfMap CreatePerfMap() =>
        BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, BpfMap.PossibleCpuCount, new() { Name = "t_perf" });

    /// <summary>A raw sample is padded so that its u32 size and data end on 8 bytes: 16 bytes arrive as 20.</summary>
    private static int PaddedLength(int length) => (length + 4 + 7) / 8 * 8 - 4;

    [Fact]
    public void Records_ArriveInOrderWithoutLoss_WhileTheConsumerKeepsUp()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = CreatePerfMap();
        using var prog = PerfOutput(counter, perf);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 8 });
        Assert.Equal(BpfSharp.Interop.Cpus.Online().Where(c => c < perf.MaxEntries), reader.Cpus);

        var checker = new SequenceChecker();
        for (int batch = 0; batch < 50; batch++)
        {
            Assert.Equal(0u, RunPinned(prog, 100));
            Assert.Equal(100, reader.Poll(TimeSpan.FromSeconds(5), ref checker));
            Assert.Null(checker.Failure);
        }
        Assert.Equal(5000UL, checker.Next);
        Assert.Equal(0, reader.LostSamples);
    }

    [Fact]
    public void Record_IsTheProgramsDataZeroPadded_AndNamesItsCpu()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = CreatePerfMap();
        using var prog = PerfOutput(counter, perf);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 1 });
        RunPinned(prog, 2);

        var seen = new List<(int Cpu, byte[] Data)>();
        Assert.Equal(2, reader.Consume((cpu, record) => seen.Add((cpu, record.ToArray()))));
        foreach (var (cpu, data) in seen)
        {
            Assert.Contains(cpu, reader.Cpus);
            Assert.Equal(PaddedLength(16), data.Length);
            Assert.Equal([0, 0, 0, 0], data[16..]);
        }
        Assert.Equal(new SeqRecord(1, 8), MemoryMarshal.Read<SeqRecord>(seen[1].Data));
        Assert.Equal(0, reader.GetPendingBytes(seen[0].Cpu));
    }

    [Fact]
    public void SmallRing_WrapsManyTimes_WrappedRecordsComeWhole()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var source = CreateSource(1100);
        using var perf = CreatePerfMap();
        // 8 + (seq & 1023) bytes into one-page rings: many records run across the ring's end, which perf
        // rings do not map twice; the reader copies those (only those) into a scratch buffer.
        using var prog = PerfOutputFromSource(counter, perf, source, 0, sizeMask: 1023);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 1 });

        ulong next = 0;
        string? failure = null;
        for (int batch = 0; batch < 700; batch++)
        {
            Assert.Equal(0u, RunPinned(prog, 3)); // at most 3 * 1048 bytes: always fits a 4 KiB ring
            reader.Consume(record =>
            {
                int length = 8 + (int)(next & 1023);
                failure ??= CheckSourceRecord(record[..length], next, length);
                if (record.Length != PaddedLength(length)) failure ??= $"record {next}: {record.Length} bytes";
                next++;
            });
        }
        Assert.Null(failure);
        Assert.Equal(2100UL, next);
        Assert.Equal(0, reader.LostSamples);
    }

    [Fact]
    public void RecordsLargerThanAPage_AreHandedOutWhole()
    {
        TestKernel.RequireRoot();
        const int size = 6001;
        using var counter = CreateCounter();
        using var source = CreateSource(size);
        using var perf = CreatePerfMap();
        using var prog = PerfOutputFromSource(counter, perf, source, size);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 4 });

        ulong next = 0;
        string? failure = null;
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(0u, RunPinned(prog, 2));
            Assert.Equal(2, reader.Consume(record =>
            {
                failure ??= CheckSourceRecord(record[..size], next, size);
                next++;
            }));
        }
        Assert.Null(failure);
    }

    [Fact]
    public void Overflow_CountsLostRecords_ReportedWithTheNextStoredRecord()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = CreatePerfMap();
        using var prog = PerfOutput(counter, perf);
        long reported = 0;
        int reports = 0;
        using var reader = new PerfBufferReader(perf, new()
        {
            PagesPerCpu = 1,
            LostSamplesCallback = (cpu, lost) => { reported += lost; reports++; },
        });

        // A one-page ring holds 127 records of 32 bytes (the kernel keeps at least one byte free); the other
        // runs' output fails in the program (ENOSPC).
        const int stored = 127;
        Assert.Equal(unchecked((uint)-BpfSharp.Interop.Errnos.ENOSPC), RunPinned(prog, 1000));
        var seqs = new List<ulong>();
        RecordHandler collect = record => seqs.Add(MemoryMarshal.Read<SeqRecord>(record).Seq);
        Assert.Equal(stored, reader.Consume(collect));
        Assert.Equal(0, reader.LostSamples); // not reported yet: the kernel writes the count with the next record

        Assert.Equal(0u, RunPinned(prog));
        Assert.Equal(1, reader.Consume(collect));
        Assert.Equal(1000 - stored, reader.LostSamples);
        Assert.Equal(reader.LostSamples, reported);
        Assert.Equal(1, reports);
        Assert.Equal(reader.LostSamples, reader.Cpus.Sum(reader.GetLostSamples));
        Assert.Equal(Enumerable.Range(0, stored).Select(i => (ulong)i).Append(1000UL), seqs);
        Assert.Equal(1001, seqs.Count + reader.LostSamples);
    }

    [Fact]
    public void Pause_DropsOutputUntilResume()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = CreatePerfMap();
        using var prog = PerfOutput(counter, perf);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 1 });

        reader.Pause();
        Assert.True(reader.IsPaused);
        Assert.Equal(unchecked((uint)-BpfSharp.Interop.Errnos.ENOSPC), RunPinned(prog, 10));
        Assert.Equal(0, reader.Consume(_ => { }));
        reader.Resume();
        Assert.False(reader.IsPaused);
        Assert.Equal(0u, RunPinned(prog));
        var seqs = new List<ulong>();
        Assert.Equal(1, reader.Consume(record => seqs.Add(MemoryMarshal.Read<SeqRecord>(record).Seq)));
        Assert.Equal([10UL], seqs);
        Assert.Equal(10, reader.LostSamples);
    }

    [Theory]
    [InlineData(3, 0)]   // wake after 3 records
    [InlineData(1, 90)]  // wake once 90 bytes are in the ring: the third 32-byte record
    public void Wakeup_ComesAtTheEventCountOrWatermark(int events, int watermark)
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = CreatePerfMap();
        using var prog = PerfOutput(counter, perf);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 1, WakeupEvents = events, WakeupWatermark = watermark });

        var poll = new BackgroundCall<int>(() => reader.Poll(TimeSpan.FromSeconds(30), _ => { }));
        poll.WaitUntilBlocked();
        RunPinned(prog, 2);
        Assert.False(poll.Join(TimeSpan.FromMilliseconds(300)), "two records woke the reader");
        RunPinned(prog);
        Assert.True(poll.Join(TimeSpan.FromSeconds(5)), "the third record did not wake the reader");
        Assert.Equal(3, poll.Result);
    }

    [Fact]
    public void Dispose_RemovesTheEventsFromTheMap()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = CreatePerfMap();
        using var prog = PerfOutput(counter, perf);
        var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 1 });
        Assert.Equal(0u, RunPinned(prog));
        reader.Dispose();
        // No event at the CPU's index any more: bpf_perf_event_output fails with ENOENT.
        Assert.Equal(unchecked((uint)-BpfSharp.Interop.Errnos.ENOENT), RunPinned(prog));
        Assert.Throws<ObjectDisposedException>(() => reader.Consume(_ => { }));
        reader.Dispose();
    }

    [Fact]
    public unsafe void PerfAbiStructs_HaveTheKernelsLayout()
    {
        // PERF_ATTR_SIZE_VER8, and the documented offsets of the ring's control fields.
        Assert.Equal(136, sizeof(BpfSharp.Interop.PerfEventAttr));
        Assert.Equal(8, sizeof(BpfSharp.Interop.PerfEventHeader));
        BpfSharp.Interop.PerfEventMmapPage page;
        byte* start = (byte*)&page;
        Assert.Equal(1024, (byte*)&page.data_head - start);
        Assert.Equal(1032, (byte*)&page.data_tail - start);
        Assert.Equal(1040, (byte*)&page.data_offset - start);
        Assert.Equal(1048, (byte*)&page.data_size - start);
    }

    [Fact]
    public void InvalidOptions_AreRefused()
    {
        TestKernel.RequireRoot();
        using var perf = CreatePerfMap();
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerfBufferReader(perf, new() { PagesPerCpu = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerfBufferReader(perf, new() { Cpus = [perf.MaxEntries] }));
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 4096);
        Assert.Throws<ArgumentException>(() => new PerfBufferReader(ring));
    }
}
