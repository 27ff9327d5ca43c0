using BpfSharp.Events;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Events.EventTestPrograms;

namespace BpfSharp.Tests.Events;

/// <summary>Disposing a reader while another thread uses it must never touch unmapped memory or leak a mapping.</summary>
public class EventReaderDisposeTests
{
    /// <summary>Mappings of BPF maps and perf events in this process (/proc/self/maps).</summary>
    private static int KernelMappings() =>
        File.ReadLines("/proc/self/maps").Count(l => l.Contains("anon_inode:bpf") || l.Contains("perf_event"));

    private static BpfMap CreateRing() => BpfMap.Create(BpfMapType.RingBuf, 0, 0, 16 * 1024, new() { Name = "t_rb" });

    [Fact]
    public void RingBuffer_DisposeWakesABlockedPoll()
    {
        TestKernel.RequireRoot();
        using var ring = CreateRing();
        int before = KernelMappings();
        var reader = new RingBufferReader(ring);
        Assert.True(KernelMappings() > before);
        var poll = new BackgroundCall<int>(() => reader.Poll(Timeout.Infinite, _ => { }));
        poll.WaitUntilBlocked();
        reader.Dispose();
        Assert.True(poll.Join(TimeSpan.FromSeconds(5)), "Poll did not return after Dispose");
        Assert.Equal(0, poll.Result);
        Assert.Throws<ObjectDisposedException>(() => reader.Poll(0, _ => { }));
        Assert.Throws<ObjectDisposedException>(() => reader.GetPositions());
        Assert.Equal(before, KernelMappings());
    }

    [Fact]
    public void PerfBuffer_DisposeWakesABlockedPoll()
    {
        TestKernel.RequireRoot();
        using var perf = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, BpfMap.PossibleCpuCount, new() { Name = "t_perf" });
        int before = KernelMappings();
        var reader = new PerfBufferReader(perf, new() { PagesPerCpu = 1 });
        var poll = new BackgroundCall<int>(() => reader.Poll(Timeout.Infinite, _ => { }));
        poll.WaitUntilBlocked();
        reader.Dispose();
        Assert.True(poll.Join(TimeSpan.FromSeconds(5)), "Poll did not return after Dispose");
        Assert.Equal(0, poll.Result);
        Assert.Throws<ObjectDisposedException>(() => reader.Pause());
        Assert.Equal(before, KernelMappings());
    }

    [Fact]
    public void DisposeFromInsideTheHandler_UnmapsOnlyAfterThePollReturns()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var prog = RingbufOutput(counter, ring);
        int before = KernelMappings();
        var reader = new RingBufferReader(ring);
        Run(prog, 10);

        var checker = new SequenceChecker();
        int n = reader.Consume(record =>
        {
            checker.OnRecord(0, record);
            if (checker.Count == 3)
            {
                reader.Dispose();
                // Still mapped: this call holds the memory.
                Assert.True(KernelMappings() > before);
            }
        });
        Assert.Equal(10, n);
        Assert.Null(checker.Failure);
        Assert.Equal(before, KernelMappings());
        Assert.Throws<ObjectDisposedException>(() => reader.Consume(_ => { }));
    }

    [Fact]
    public void DisposeAtRandomMoments_WhileProducingAndPolling()
    {
        TestKernel.RequireRoot();
        using var counter = CreateCounter();
        using var ring = CreateRing();
        using var perf = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, BpfMap.PossibleCpuCount, new() { Name = "t_perf" });
        using var ringProg = RingbufOutput(counter, ring);
        using var perfProg = PerfOutput(counter, perf);
        int before = KernelMappings();
        var random = new Random(12345);

        for (int iteration = 0; iteration < 40; iteration++)
        {
            EventReader reader = iteration % 2 == 0 ? new RingBufferReader(ring) : new PerfBufferReader(perf, new() { PagesPerCpu = 1 });
            var prog = iteration % 2 == 0 ? ringProg : perfProg;
            var stop = new ManualResetEventSlim();
            var producer = new BackgroundCall<int>(() =>
            {
                int runs = 0;
                while (!stop.IsSet) { prog.TestRun(Packet); runs++; }
                return runs;
            });
            var poller = new BackgroundCall<long>(() =>
            {
                long bytes = 0;
                try
                {
                    while (true) reader.Poll(20, record => bytes += record[0] + record.Length);
                }
                catch (ObjectDisposedException)
                {
                    return bytes;
                }
            });
            Thread.Sleep(random.Next(0, 15));
            reader.Dispose();
            Assert.True(poller.Join(TimeSpan.FromSeconds(5)), "the poller did not leave after Dispose");
            Assert.Null(poller.Error);
            stop.Set();
            Assert.True(producer.Join(TimeSpan.FromSeconds(5)));
            Assert.Null(producer.Error);
        }
        Assert.Equal(before, KernelMappings());
    }
}
