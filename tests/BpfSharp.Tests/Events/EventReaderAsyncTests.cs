using System.Runtime.InteropServices;
using BpfSharp.Events;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Events.EventTestPrograms;

namespace BpfSharp.Tests.Events;

public class EventReaderAsyncTests
{
    private static BpfMap CreateRing(int size = 64 * 1024) => BpfMap.Create(BpfMapType.RingBuf, 0, 0, size, new() { Name = "t_rb" });

    private static CancellationTokenSource Timeout(int seconds = 30)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(seconds));
        return cts;
    }

    [Fact]
    public async Task ReadAllAsync_YieldsTypedRecordsInOrder_AndStopsWhenTheConsumerStops()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 500);
        ulong next = 0;
        await foreach (var record in reader.ReadAllAsync<SeqRecord>(cts.Token))
        {
            Assert.Equal(new SeqRecord(next, SeqRecord.CheckOf(next)), record);
            if (++next == 500) break;
        }
        // The polling thread is gone and the reader is usable again.
        Run(prog, 3);
        var checker = new SequenceChecker { Next = 500 };
        Assert.Equal(3, reader.Poll(5000, ref checker));
        Assert.Null(checker.Failure);
    }

    [Fact]
    public async Task ReadAllAsync_WaitsForRecordsWrittenLater()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        var producer = new BackgroundCall<bool>(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                Thread.Sleep(20);
                Run(prog, 20);
            }
            return true;
        });
        ulong next = 0;
        await foreach (var record in reader.ReadAllAsync<SeqRecord>(cts.Token))
        {
            Assert.Equal(next, record.Seq);
            if (++next == 200) break;
        }
        Assert.True(producer.Join(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cancellation_EndsTheEnumerationWithOperationCanceled()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        Run(prog, 2);
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var record in reader.ReadAllAsync<SeqRecord>(cts.Token))
            {
                // Cancel once the available records were read: the stream is then waiting for more.
                if (++seen == 2) cts.CancelAfter(100);
            }
        });
        Assert.Equal(2, seen);
        // The reader is usable again.
        Run(prog);
        Assert.Equal(1, reader.Poll(5000, _ => { }));
    }

    [Fact]
    public async Task SlowConsumer_BackPressureLosesNothingTheRingCanHold()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 300); // 7200 bytes: the ring holds them while the 2-record stream buffer is full
        ulong next = 0;
        await foreach (var record in reader.ReadAllAsync<SeqRecord>(capacity: 2, cts.Token))
        {
            Assert.Equal(next, record.Seq);
            if (next % 50 == 0) await Task.Delay(10, cts.Token);
            if (++next == 300) break;
        }
    }

    [Fact]
    public async Task Dispose_EndsTheStream()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 5);
        int seen = 0;
        await foreach (var record in reader.ReadAllAsync<SeqRecord>(cts.Token))
        {
            if (++seen == 5) reader.Dispose();
        }
        Assert.Equal(5, seen);
        Assert.Throws<ObjectDisposedException>(() => reader.ReadAllAsync<SeqRecord>(cts.Token));
    }

    [Fact]
    public async Task PerfBuffer_ReadAllAsync_YieldsCopies()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, BpfMap.PossibleCpuCount, new() { Name = "t_perf" });
        using var prog = PerfOutput(counter, perf);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 2 });
        using var cts = Timeout();

        RunPinned(prog, 20);
        ulong next = 0;
        await foreach (var record in reader.ReadAllAsync(cts.Token))
        {
            Assert.Equal(20, record.Length); // 16 bytes and the kernel's padding
            Assert.Equal(new SeqRecord(next, SeqRecord.CheckOf(next)), MemoryMarshal.Read<SeqRecord>(record));
            if (++next == 20) break;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Large
    {
        public SeqRecord A, B;
    }

    [Fact]
    public async Task RecordShorterThanTheType_FailsTheStream()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog);
        var e = await Assert.ThrowsAsync<BpfFormatException>(async () =>
        {
            await foreach (var _ in reader.ReadAllAsync<Large>(cts.Token)) { }
        });
        Assert.Contains("shorter than Large", e.Message);
    }
}
