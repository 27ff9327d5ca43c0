using System.Runtime.InteropServices;
using BpfSharp.Events;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Events.EventTestPrograms;

namespace BpfSharp.Tests.Events;

/// <summary>ReadBatchesAsync: the zero-copy async stream, against rings and perf buffers fed by real programs.</summary>
public class EventBatchStreamTests
{
    private static BpfMap CreateRing(int size = 64 * 1024, string name = "hperf_rb") =>
        BpfMap.Create(BpfMapType.RingBuf, 0, 0, size, new() { Name = name });

    private static BpfMap CreatePerfMap() =>
        BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, BpfMap.PossibleCpuCount, new() { Name = "hperf_pb" });

    private static CancellationTokenSource Timeout(int seconds = 30)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(seconds));
        return cts;
    }

    /// <summary>What a perf record of <paramref name="length"/> data bytes is handed out as: u32 size + data, padded to 8.</summary>
    private static int PaddedLength(int length) => ((length + 4 + 7) & ~7) - 4;

    [Fact]
    public async Task Batches_HoldTheRecordsInOrder_AndTheStreamWaitsForLaterOnes()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 100);
        // Written while the stream waits on an empty ring (the program's output wakes the reader).
        var producer = new BackgroundCall<bool>(() =>
        {
            for (int i = 0; i < 5; i++)
            {
                Thread.Sleep(50);
                Run(prog, 20);
            }
            return true;
        });
        ulong next = 0;
        int batches = 0;
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            batches++;
            Assert.Equal(0, batch.Source);
            int inBatch = 0;
            foreach (var record in batch)
            {
                Assert.Equal(16, record.Length);
                Assert.Equal(new SeqRecord(next, SeqRecord.CheckOf(next)), MemoryMarshal.Read<SeqRecord>(record));
                next++;
                inBatch++;
            }
            Assert.Equal(inBatch, batch.Count);
            Assert.Equal(24L * inBatch, batch.Bytes);
            // Enumerated again, the same records.
            ulong again = next - (ulong)inBatch;
            foreach (var value in batch.As<SeqRecord>()) Assert.Equal(again++, value.Seq);
            if (next == 200) break;
        }
        Assert.True(producer.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(200UL, next);
        Assert.True(batches >= 2, $"{batches} batches: the later records came in batches of their own");
    }

    [Fact]
    public async Task ABatch_StaysInTheRingUntilTheNextOne_AndEndingTheStreamReleasesIt()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 10);
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            Assert.Equal(10, batch.Count);
            // In place: the kernel still counts the records as unread while the loop body runs.
            Assert.Equal(240, reader.PendingBytes);
            break;
        }
        // Leaving the loop handed the batch back: the ring is empty, and the next record is the eleventh.
        Assert.Equal(0, reader.PendingBytes);
        Run(prog);
        var checker = new SequenceChecker { Next = 10 };
        Assert.Equal(1, reader.Poll(5000, ref checker));
        Assert.Null(checker.Failure);
    }

    [Fact]
    public async Task RecordsSkippedInABatch_AreConsumed_AndTheNextBatchGoesOn()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 10);
        var firsts = new List<ulong>();
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            foreach (var value in batch.As<SeqRecord>())
            {
                firsts.Add(value.Seq);
                break;
            }
            if (firsts.Count == 2) break;
            Run(prog, 3);
        }
        Assert.Equal([0UL, 10UL], firsts);
        Assert.Equal(0, reader.PendingBytes);
    }

    [Fact]
    public async Task AHeldBatch_IsBackPressure_TheProducerFailsUntilTheConsumerMovesOn()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing(4096);
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Assert.Equal(0u, Run(prog, 100));
        int batches = 0;
        ulong next = 0;
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            foreach (var value in batch.As<SeqRecord>()) Assert.Equal(next++, value.Seq);
            if (++batches == 1)
            {
                // 4096 / 24 = 170 records fit: 70 more, then bpf_ringbuf_output fails with EAGAIN while we hold 100.
                Assert.Equal(unchecked((uint)-(int)Errno.EAGAIN), Run(prog, 100));
                continue;
            }
            if (batches == 2)
            {
                // Moving on released the first batch: the producer writes again.
                Assert.Equal(170UL, next);
                Assert.Equal(0u, Run(prog));
                next = 200; // 170-199 were dropped by the kernel (their sequence numbers were taken)
                continue;
            }
            break;
        }
        Assert.Equal(201UL, next);
    }

    [Fact]
    public async Task Cancellation_WhileWaiting_ThrowsOperationCanceled_AndThePollPathWorksAgain()
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
            await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
            {
                seen += batch.Count;
                // The stream is about to wait on an empty ring: the cancellation must wake it.
                cts.CancelAfter(100);
            }
        });
        Assert.Equal(2, seen);
        Run(prog);
        var checker = new SequenceChecker { Next = 2 };
        Assert.Equal(1, reader.Poll(5000, ref checker));
        Assert.Null(checker.Failure);
    }

    [Fact]
    public async Task DisposingTheReader_EndsTheStream_AfterTheBatchInHand()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 5);
        int batches = 0;
        ulong next = 0;
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            batches++;
            reader.Dispose();
            // The memory stays mapped while the stream holds the batch.
            foreach (var value in batch.As<SeqRecord>()) Assert.Equal(new SeqRecord(next, SeqRecord.CheckOf(next++)), value);
        }
        Assert.Equal(1, batches);
        Assert.Equal(5UL, next);
        Assert.Throws<ObjectDisposedException>(() => reader.ReadBatchesAsync(cts.Token));
    }

    [Fact]
    public async Task DisposingTheReader_WakesAWaitingStream()
    {
        TestKernel.RequireRoot();
        using var ring = CreateRing();
        var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        var disposer = new BackgroundCall<bool>(() =>
        {
            Thread.Sleep(200);
            reader.Dispose();
            return true;
        });
        await foreach (var _ in reader.ReadBatchesAsync(cts.Token)) Assert.Fail("no record was written");
        Assert.True(disposer.Join(TimeSpan.FromSeconds(5)));
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task PollAndASecondStream_AreRefusedWhileAStreamHoldsRecords_AndABatchCannotBeReadAfterwards()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 3);
        EventBatch? kept = null;
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            kept = batch;
            var e = Assert.Throws<InvalidOperationException>(() => reader.Poll(0, _ => { }));
            Assert.Contains("ReadBatchesAsync", e.Message);
            Assert.Throws<InvalidOperationException>(() => reader.Consume(_ => { }));
            await using var second = reader.ReadBatchesAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await second.MoveNextAsync());
            break;
        }
        Assert.NotNull(kept);
        Assert.Throws<InvalidOperationException>(() => kept.GetEnumerator());
        Assert.Throws<InvalidOperationException>(() => kept.Count);
        // The stream ended: Poll is allowed again (and the three records were consumed with the batch).
        Assert.Equal(0, reader.Poll(0, _ => { }));
    }

    [Fact]
    public async Task DiscardedRecords_AreNotInTheBatches()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufReserveDiscardEveryThird(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog, 30); // 0, 3, ..., 27 discarded; record 0 first: a batch never starts with a discarded record
        var seqs = new List<ulong>();
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            foreach (var value in batch.As<SeqRecord>()) seqs.Add(value.Seq);
            Assert.Equal(20, batch.Count);
            break;
        }
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 != 0).Select(i => (ulong)i), seqs);
        Assert.Equal(0, reader.PendingBytes);
    }

    [Fact]
    public async Task SeveralRings_TakeTurns_AndEachBatchNamesItsRing()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var even = CreateRing(name: "hperf_even");
        using var odd = CreateRing(name: "hperf_odd");
        using var prog = RingbufAlternate(counter, even, odd);
        using var reader = new RingBufferReader(even, odd);
        using var cts = Timeout();

        Run(prog, 20);
        var sources = new List<int>();
        var bySource = new List<ulong>[] { [], [] };
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            sources.Add(batch.Source);
            foreach (var value in batch.As<SeqRecord>()) bySource[batch.Source].Add(value.Seq);
            if (sources.Count == 2) break;
        }
        Assert.Equal([0, 1], sources);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (ulong)(2 * i)), bySource[0]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (ulong)(2 * i + 1)), bySource[1]);
    }

    [Fact]
    public async Task RecordShorterThanTheType_Throws()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        using var reader = new RingBufferReader(ring);
        using var cts = Timeout();

        Run(prog);
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            var e = Assert.Throws<BpfFormatException>(() =>
            {
                foreach (var _ in batch.As<(SeqRecord, SeqRecord)>()) { }
            });
            Assert.Contains("shorter than", e.Message);
            break;
        }
    }

    [Fact]
    public async Task PerfBuffer_BatchesPerCpu_InOrder_WithWrappedRecordsWhole()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var source = CreateSource(1100);
        using var perf = CreatePerfMap();
        // 8 + (seq & 1023) bytes into two-page rings: records run across the ring's end (perf rings are mapped once).
        using var prog = PerfOutputFromSource(counter, perf, source, 0, sizeMask: 1023);
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 2 });
        using var cts = Timeout(60);

        int cpu = BpfSharp.Interop.Cpus.Online()[0];
        Assert.Equal(0u, RunPinned(prog, 3));
        ulong next = 0;
        string? failure = null;
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            Assert.Equal(cpu, batch.Source);
            int inBatch = 0;
            foreach (var record in batch)
            {
                int length = 8 + (int)(next & 1023);
                failure ??= CheckSourceRecord(record[..Math.Min(length, record.Length)], next, length);
                if (record.Length != PaddedLength(length)) failure ??= $"record {next}: {record.Length} bytes";
                next++;
                inBatch++;
            }
            Assert.Equal(batch.Count, inBatch);
            if (next >= 600) break;
            // The batch in hand (at most 3 * 1048 bytes) and 3 more always fit the 8 KiB ring.
            if (next % 3 == 0) Assert.Equal(0u, RunPinned(prog, 3));
        }
        Assert.Null(failure);
        Assert.Equal(600UL, next);
        Assert.Equal(0, reader.LostSamples);
        Assert.Equal(0, reader.GetPendingBytes(cpu));
    }

    [Fact]
    public async Task PerfBuffer_AHeldBatchMakesTheKernelDrop_AndTheLossIsCountedOnce()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var perf = CreatePerfMap();
        using var prog = PerfOutput(counter, perf);
        var reports = new List<long>();
        using var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 1, LostSamplesCallback = (_, n) => reports.Add(n) });
        using var cts = Timeout();

        // A 16-byte record is a 32-byte sample: 128 fit in the one-page ring.
        Assert.Equal(0u, RunPinned(prog, 100));
        int batches = 0;
        ulong next = 0;
        await foreach (var batch in reader.ReadBatchesAsync(cts.Token))
        {
            batches++;
            var seqs = new List<ulong>();
            foreach (var value in batch.As<SeqRecord>()) seqs.Add(value.Seq);
            Assert.Equal(next, seqs[0]);
            Assert.Equal(seqs.Count, batch.Count); // counted twice over: the lost report is still counted once
            next = seqs[^1] + 1;
            if (batches == 1)
            {
                Assert.Equal(100, seqs.Count);
                // The 100 samples held: 27 more fit (the kernel keeps one byte of the ring free: (4096 - 1 - 3200) / 32),
                // 73 are dropped.
                Assert.NotEqual(0u, RunPinned(prog, 100));
                continue;
            }
            if (batches == 2)
            {
                Assert.Equal(27, seqs.Count);
                Assert.Empty(reports); // the kernel reports a loss with the next sample it stores
                RunPinned(prog);
                next = 200;
                continue;
            }
            Assert.Equal([200UL], seqs);
            break;
        }
        Assert.Equal([73L], reports);
        Assert.Equal(73, reader.LostSamples);
    }
}
