using BpfSharp.Hosting;
using BpfSharp.Links;
using BpfSharp.Tests.Support;
using Microsoft.Extensions.Hosting;

namespace BpfSharp.Tests.Hosting;

/// <summary>
/// Upgrades without a gap: a host that keeps its attachments is replaced by a host with a new version of the
/// program while a thread watches the program run on every one of its system calls.
/// </summary>
public sealed class HostedUpgradeTests
{
    /// <summary>
    /// raw_tp links cannot change their program (BPF_LINK_UPDATE: EINVAL), so each restart attaches the new
    /// version before it removes the old one. Every map lookup of the sampling thread enters a system call the
    /// counter program counts before the lookup reads the counter: the value read grows at every lookup exactly
    /// when a program is attached at that moment.
    /// </summary>
    [Fact]
    public async Task RestartsWithNewVersionsKeepCountingWithoutGapAndEndWithOneAttachment()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        string pinRoot = HostingFixture.NewPinRoot();
        var sampler = new Sampler();
        var readCounts = new List<ulong>();
        var logs = new LogCapture();
        try
        {
            IHost Host(uint version, bool keep) => HostingFixture.Build(o =>
            {
                o.PinRoot = pinRoot;
                o.KeepAttached = keep;
                o.Programs.Add("count_syscalls");
                o.SetVariable("target_tid", (uint)sampler.Tid).SetVariable("version", version);
                o.SetMaxEntries("events", 1 << 20); // room for every record while no host reads
                o.OnRecord("events", record => { lock (readCounts) readCounts.Add(BitConverter.ToUInt64(record[8..16])); });
            }, logs);

            var v1 = Host(1, keep: true);
            await v1.StartAsync(ct);
            using var counters = BpfMap.OpenPinned(Path.Combine(pinRoot, "maps", "counters"));
            uint counterMapId = counters.Id;
            sampler.Start(counters);
            Assert.True(sampler.WaitForVersion(1), "version 1 never ran");
            await v1.StopAsync(ct);
            v1.Dispose();
            Assert.Single(HostingFixture.LinksUsingMap(counterMapId)); // kept attached through its pin
            Assert.True(sampler.WaitForSamples(50), "the sampler stalled while no host ran");

            (long Samples, long Gaps, long FirstGap) summary = default;
            for (uint version = 2; version <= 3; version++)
            {
                using var next = Host(version, keep: version == 2);
                await next.StartAsync(ct);
                Assert.True(sampler.WaitForVersion(version), $"version {version} never ran");
                Assert.Single(HostingFixture.LinksUsingMap(counterMapId));
                Assert.True(sampler.WaitForSamples(50), "the sampler stalled");
                // The last host detaches when it stops: the sampling ends before.
                if (version == 3) summary = sampler.Stop();
                await next.StopAsync(ct);
            }

            Assert.True(summary.Gaps == 0, $"{summary.Gaps} of {summary.Samples} lookups saw no program run (first at sample {summary.FirstGap})");
            Assert.True(summary.Samples >= 150, $"only {summary.Samples} samples");
            Assert.Equal(3, HostingFixture.Read(counters, HostingFixture.SyscallVersion));
            Assert.Equal(2, logs.Entries.Count(e => e.Id.Id == 5 && e.Message.Contains("RawTracepoint"))); // attach-new-then-detach-old, twice
            Assert.Equal(2, logs.Entries.Count(e => e.Id.Id == 7)); // kept attached by the first two hosts
            // The last host did not keep its attachment: nothing runs the program, nothing is pinned.
            Assert.Empty(HostingFixture.LinksUsingMap(counterMapId));
            if (Directory.Exists(pinRoot))
                Assert.Fail($"{pinRoot} is left: {string.Join(", ", Directory.GetFileSystemEntries(pinRoot, "*", SearchOption.AllDirectories))}");

            // The ring buffer was pinned across the restarts: every record reached some host's reader exactly once.
            Assert.Equal(0, HostingFixture.Read(counters, HostingFixture.RingbufDropped));
            lock (readCounts)
            {
                Assert.Equal(readCounts.Count, readCounts.Distinct().Count());
                Assert.Equal((ulong)readCounts.Count, readCounts.Max());
            }
        }
        finally
        {
            sampler.Stop();
            if (Directory.Exists(pinRoot)) Directory.Delete(pinRoot, recursive: true);
        }
    }

    /// <summary>A thread that looks the counter up in a loop (1 ms apart) and counts the lookups that did not see it grow.</summary>
    private sealed class Sampler
    {
        private readonly Thread _thread;
        private readonly ManualResetEventSlim _tidKnown = new();
        private volatile bool _stop;
        private BpfMap? _counters;
        private readonly ManualResetEventSlim _go = new();
        private long _samples, _gaps, _firstGap = -1, _version;

        public int Tid { get; private set; }

        public Sampler()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "counter sampler" };
            _thread.Start();
            _tidKnown.Wait();
        }

        public void Start(BpfMap counters)
        {
            _counters = counters;
            _go.Set();
        }

        private void Run()
        {
            Tid = HostingFixture.gettid();
            _tidKnown.Set();
            _go.Wait();
            if (_stop) return;
            long previous = HostingFixture.Read(_counters!, HostingFixture.Syscalls);
            while (!_stop)
            {
                long now = HostingFixture.Read(_counters!, HostingFixture.Syscalls);
                long n = Interlocked.Increment(ref _samples);
                if (now <= previous)
                {
                    Interlocked.Increment(ref _gaps);
                    Interlocked.CompareExchange(ref _firstGap, n, -1);
                }
                previous = now;
                Volatile.Write(ref _version, HostingFixture.Read(_counters!, HostingFixture.SyscallVersion));
                Thread.Sleep(1);
            }
        }

        public bool WaitForVersion(uint version) => Eventually.Holds(() => Volatile.Read(ref _version) == version);

        public bool WaitForSamples(int count)
        {
            long target = Interlocked.Read(ref _samples) + count;
            return Eventually.Holds(() => Interlocked.Read(ref _samples) >= target);
        }

        public (long Samples, long Gaps, long FirstGap) Stop()
        {
            _stop = true;
            _go.Set();
            _thread.Join();
            return (Interlocked.Read(ref _samples), Interlocked.Read(ref _gaps), Interlocked.Read(ref _firstGap));
        }
    }
}
