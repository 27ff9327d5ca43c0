using System.Runtime.InteropServices;
using BpfSharp.Events;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Events.EventTestPrograms;

namespace BpfSharp.Tests.Events;

public class RingBufferReaderTests
{
    private static BpfMap CreateRing(int size, string name = "t_rb") => BpfMap.Create(BpfMapType.RingBuf, 0, 0, size, new() { Name = name });

    [Fact]
    public void Records_ArriveInOrderWithoutLoss_WhileTheConsumerKeepsUp()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(64 * 1024);
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);

        var checker = new SequenceChecker();
        for (int batch = 0; batch < 100; batch++)
        {
            Assert.Equal(0u, Run(prog, 100));
            // Records are there: Poll returns them without waiting.
            Assert.Equal(100, reader.Poll(TimeSpan.FromSeconds(5), ref checker));
            Assert.Null(checker.Failure);
        }
        Assert.Equal(10_000UL, checker.Next);
        Assert.Equal(0, reader.Consume(ref checker));
        var positions = reader.GetPositions();
        Assert.Equal(positions.ProducerPosition, positions.ConsumerPosition);
        Assert.Equal(10_000UL * 24, positions.ProducerPosition); // 16 bytes + the 8-byte header each
        Assert.Equal(0, reader.PendingBytes);
    }

    [Fact]
    public void DelegateHandler_SeesEachRecordInPlace()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(4096);
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        Run(prog, 3);
        Assert.Equal(72, reader.PendingBytes);

        var seen = new List<SeqRecord>();
        int n = reader.Consume(record => seen.Add(MemoryMarshal.Read<SeqRecord>(record)));
        Assert.Equal(3, n);
        Assert.Equal([new(0, 1), new(1, 8), new(2, 15)], seen);
        Assert.Equal(0, reader.PendingBytes);
    }

    [Fact]
    public void SmallRing_WrapsManyTimes_WithRecordsStraddlingTheEnd()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var source = CreateSource(128);
        using var ring = CreateRing(4096);
        // 8 + (seq & 63) bytes: sizes that do not divide the ring, so records run across its end and come
        // back contiguous through the second mapping of the data pages.
        using var prog = RingbufOutputFromSource(counter, ring, source, 0, sizeMask: 63);
        using var reader = new RingBufferReader(ring);

        ulong next = 0;
        string? failure = null;
        for (int batch = 0; batch < 500; batch++)
        {
            Assert.Equal(0u, Run(prog, 40)); // at most 40 * 80 bytes: always fits
            reader.Consume(record =>
            {
                failure ??= CheckSourceRecord(record, next, 8 + (int)(next & 63));
                next++;
            });
        }
        Assert.Null(failure);
        Assert.Equal(20_000UL, next);
        var positions = reader.GetPositions();
        Assert.True(positions.ConsumerPosition > 200 * 4096UL, $"the ring wrapped {positions.ConsumerPosition / 4096} times");
        Assert.Equal(positions.ProducerPosition, positions.ConsumerPosition);
    }

    [Fact]
    public void RecordsLargerThanAPage_AreHandedOutWhole()
    {
        TestKernel.RequireRoot();
        const int size = 6001; // not a multiple of 8: the kernel rounds the slot, not the length
        using var counter = CreateCounter();
        using var source = CreateSource(size);
        using var ring = CreateRing(16 * 1024);
        using var prog = RingbufOutputFromSource(counter, ring, source, size);
        using var reader = new RingBufferReader(ring);

        ulong next = 0;
        string? failure = null;
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(0u, Run(prog, 2));
            Assert.Equal(2, reader.Consume(record =>
            {
                failure ??= CheckSourceRecord(record, next, size);
                next++;
            }));
        }
        Assert.Null(failure);
        Assert.Equal(60UL * 6016, reader.GetPositions().ConsumerPosition);
    }

    [Fact]
    public void DiscardedRecords_AreSkipped()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(4096);
        using var prog = RingbufReserveDiscardEveryThird(counter, ring);
        using var reader = new RingBufferReader(ring);

        var seen = new List<ulong>();
        for (int batch = 0; batch < 10; batch++)
        {
            Run(prog, 30);
            reader.Consume(record =>
            {
                var r = MemoryMarshal.Read<SeqRecord>(record);
                Assert.Equal(SeqRecord.CheckOf(r.Seq), r.Check);
                seen.Add(r.Seq);
            });
        }
        Assert.Equal(Enumerable.Range(0, 300).Where(i => i % 3 != 0).Select(i => (ulong)i), seen);
        // The discarded records' space was consumed too.
        Assert.Equal(300UL * 24, reader.GetPositions().ConsumerPosition);
    }

    [Fact]
    public void SeveralRings_InOneReader_ReportTheirIndex()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var even = CreateRing(4096, "t_rb_even");
        using var odd = CreateRing(8192, "t_rb_odd");
        using var prog = RingbufAlternate(counter, even, odd);
        using var reader = new RingBufferReader(even, odd);
        Assert.Equal(2, reader.RingCount);
        Assert.Same(odd, reader.Maps[1]);

        var bySource = new List<ulong>[] { [], [] };
        for (int batch = 0; batch < 20; batch++)
        {
            Assert.Equal(0u, Run(prog, 50));
            Assert.Equal(50, reader.Poll(1000, (source, record) => bySource[source].Add(MemoryMarshal.Read<SeqRecord>(record).Seq)));
        }
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (ulong)i * 2), bySource[0]);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (ulong)i * 2 + 1), bySource[1]);
        Assert.Equal(8192, reader.GetPositions(1).Size);
    }

    [Fact]
    public void Poll_WaitsForARecord_WrittenByAnotherThread()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(4096);
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);

        Assert.Equal(0, reader.Poll(0, _ => { }));
        var producer = new BackgroundCall<uint>(() =>
        {
            Thread.Sleep(100);
            return Run(prog);
        });
        var checker = new SequenceChecker();
        int n = 0;
        // The kernel's wake-up (irq_work) may come after the test run returns: wait for it.
        for (int i = 0; i < 50 && n == 0; i++) n = reader.Poll(100, ref checker);
        Assert.True(producer.Join(TimeSpan.FromSeconds(5)));
        Assert.Equal(0u, producer.Result);
        Assert.Equal(1, n);
        Assert.Null(checker.Failure);
    }

    [Fact]
    public void FullRing_DropsAtTheProducer_AndTheReaderResumes()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(4096);
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);

        // 4096 / 24 = 170 records fit; the later runs' bpf_ringbuf_output fails with EAGAIN.
        Assert.Equal(unchecked((uint)-BpfSharp.Interop.Errnos.EAGAIN), Run(prog, 200));
        var checker = new SequenceChecker();
        Assert.Equal(170, reader.Consume(ref checker));
        Assert.Null(checker.Failure);
        Assert.Equal(0u, Run(prog));
        Assert.Equal(1, reader.Consume(record => Assert.Equal(200UL, MemoryMarshal.Read<SeqRecord>(record).Seq)));
    }

    [Fact]
    public void HandlerException_PropagatesAndItsRecordCountsAsConsumed()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(4096);
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        Run(prog, 3);

        var e = Assert.Throws<InvalidOperationException>(() => reader.Consume(record =>
        {
            if (MemoryMarshal.Read<SeqRecord>(record).Seq == 1) throw new InvalidOperationException("stop");
        }));
        Assert.Equal("stop", e.Message);
        var rest = new List<ulong>();
        reader.Consume(record => rest.Add(MemoryMarshal.Read<SeqRecord>(record).Seq));
        Assert.Equal([2UL], rest);
    }

    [Fact]
    public void PollFromInsideAHandler_IsRefused()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(4096);
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        Run(prog);
        Assert.Throws<InvalidOperationException>(() => reader.Consume(_ => reader.Consume(_ => { })));
    }

    [Fact]
    public void Wake_ReturnsABlockedPoll()
    {
        TestKernel.RequireRoot();
        using var ring = CreateRing(4096);
        using var reader = new RingBufferReader(ring);
        var poll = new BackgroundCall<int>(() => reader.Poll(Timeout.Infinite, _ => { }));
        poll.WaitUntilBlocked();
        reader.Wake();
        Assert.True(poll.Join(TimeSpan.FromSeconds(5)), "Poll did not return after Wake");
        Assert.Equal(0, poll.Result);
        // A wake with nobody waiting makes the next Poll return at once.
        reader.Wake();
        Assert.Equal(0, reader.Poll(TimeSpan.FromSeconds(30), _ => { }));
    }

    [Fact]
    public void WrongMapType_IsRefused()
    {
        TestKernel.RequireRoot();
        using var array = BpfMap.Create(BpfMapType.Array, 4, 4, 1);
        var e = Assert.Throws<ArgumentException>(() => new RingBufferReader(array));
        Assert.Contains("not a ring buffer", e.Message);
    }
}
