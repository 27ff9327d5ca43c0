using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using BpfSharp.Hosting;
using BpfSharp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Tests.Hosting;

/// <summary>The meter BpfSharp against the kernel's own numbers, and records handed to a Channel and a handler.</summary>
public sealed class HostedMetricsTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct CounterEvent
    {
        public uint Version;
        public uint Tid;
        public ulong Count;
    }

    [Fact]
    public async Task MetricsMatchTheKernelsCountsAndEveryRecordReachesTheChannel()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        var worker = new CountedThread();
        var channel = Channel.CreateBounded<CounterEvent>(64); // smaller than the records: the reader waits for the consumer
        long perfRecords = 0;
        using var host = HostingFixture.Build(o =>
        {
            o.Programs.Add("count_syscalls");
            o.SetVariable("target_tid", (uint)worker.Tid);
            o.EnableRunTimeStatistics = true;
            o.MapEntrySampleInterval = TimeSpan.Zero;
            o.ToChannel("events", channel.Writer);
            o.OnRecord("perf_events", _ => Interlocked.Increment(ref perfRecords));
        });
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        host.Services.GetRequiredService<BpfMetrics>(); // its instruments exist before the listener starts
        var values = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This host's meter only: hosts of other tests publish a meter of the same name.
            if (instrument.Meter.Name == BpfMetrics.MeterName && instrument.Meter.Scope == meterFactory) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string key = instrument.Name + string.Concat(tags.ToArray().Where(t => t.Key != "bpf.object").OrderBy(t => t.Key).Select(t => $"|{t.Key}={t.Value}"));
            // Counters add up; observable instruments report totals, which the last observation replaces.
            if (instrument is Counter<long> or Histogram<double>) values.AddOrUpdate(key, value, (_, old) => old + value);
            else values[key] = value;
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        await host.StartAsync(ct);
        var obj = host.Hosted().Object!;
        var counters = obj.Maps["counters"].Map!;
        var program = obj.Programs["count_syscalls"].Program!;
        worker.Run(2000);
        long counted = CountedThread.Settled(counters);
        Assert.True(counted >= 2000, $"the program counted {counted} system calls of the worker");
        var received = new List<ulong>();
        while (received.Count < counted) received.Add((await channel.Reader.ReadAsync(ct)).Count);
        Assert.Equal(Enumerable.Range(1, (int)counted).Select(i => (ulong)i), received);

        Assert.True(Eventually.Holds(() => values.GetValueOrDefault("bpf.reader.records|bpf.map=events") == counted),
            $"bpf.reader.records for events: {values.GetValueOrDefault("bpf.reader.records|bpf.map=events")}, the program wrote {counted}");
        // A record bpf_perf_event_output could not write is the program's to count (the fixture does), not the reader's.
        long perfFailed = HostingFixture.Read(counters, HostingFixture.PerfFailed);
        Assert.True(Eventually.Holds(() => values.GetValueOrDefault("bpf.reader.records|bpf.map=perf_events")
            + values.GetValueOrDefault("bpf.reader.lost|bpf.map=perf_events") + perfFailed == counted),
            $"perf_events: {values.GetValueOrDefault("bpf.reader.records|bpf.map=perf_events")} read, {values.GetValueOrDefault("bpf.reader.lost|bpf.map=perf_events")} lost, "
            + $"{perfFailed} not written (last error {HostingFixture.Read(counters, HostingFixture.PerfError)}), {counted} counted");
        Assert.Equal(perfRecords, (long)values.GetValueOrDefault("bpf.reader.records|bpf.map=perf_events"));

        // run_cnt counts every system call of the machine (the program filters inside): the metric lies between two readings.
        ulong before = program.GetInfo().RunCount;
        listener.RecordObservableInstruments();
        ulong after = program.GetInfo().RunCount;
        double runs = values[$"bpf.program.runs|bpf.program=count_syscalls|bpf.program.id={program.Id}"];
        Assert.InRange(runs, before, after);
        Assert.True(runs >= counted);
        Assert.True(values[$"bpf.program.run_time|bpf.program=count_syscalls|bpf.program.id={program.Id}"] > 0);
        Assert.Equal(HostingFixture.CounterSlots, values["bpf.map.entries|bpf.map=counters"]);
        Assert.True(values["bpf.object.load.duration"] > 0);

        await host.StopAsync(ct);
        // The host completes the writer at stop; every record was read, so the channel is done.
        await channel.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);
    }

    /// <summary>
    /// BPF_ENABLE_STATS needs CAP_SYS_ADMIN: a host started without it (a container with CAP_BPF and CAP_PERFMON)
    /// warns and runs on; the kernel refuses exactly that call.
    /// </summary>
    [Fact]
    public async Task StatisticsRefusedWithoutSysAdminAreAWarningNotAFailedStart()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        var logs = new LogCapture();
        using var host = HostingFixture.Build(o =>
        {
            o.Programs.Add("count_syscalls");
            o.EnableRunTimeStatistics = true;
        }, logs);
        BpfException? direct = null;
        WithoutSysAdmin.Run(() =>
        {
            try { BpfProgram.EnableRunTimeStatistics().Dispose(); }
            catch (BpfException e) { direct = e; }
            StartBlocking(host);
        });
        Assert.Equal("EPERM", direct?.ErrnoName);
        Assert.NotEmpty(host.Hosted().Links);
        var warning = Assert.Single(logs.Entries, e => e.Id.Id == 15);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("CAP_SYS_ADMIN", warning.Message);
        await host.StopAsync(ct);
    }

    /// <summary>The host's start runs on the calling thread: here, one without CAP_SYS_ADMIN.</summary>
    private static void StartBlocking(Microsoft.Extensions.Hosting.IHost host) => host.StartAsync().GetAwaiter().GetResult();
}
