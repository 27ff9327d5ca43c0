using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using BpfSharp.Hosting;
using BpfSharp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BpfSharp.Tests.Hosting;

/// <summary>The meter BpfSharp against the kernel's own numbers, and records handed to a Channel and a handler.</summary>
public sealed partial class HostedMetricsTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct CounterEvent
    {
        public uint Version;
        public uint Tid;
        public ulong Count;
    }

    [LibraryImport("libc")]
    private static partial int getppid();

    [Fact]
    public async Task MetricsMatchTheKernelsCountsAndEveryRecordReachesTheChannel()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        // The counted thread waits until the host runs, makes its system calls, and is done.
        int tid = 0;
        using var tidKnown = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            tid = HostingFixture.gettid();
            tidKnown.Set();
            go.Wait();
            for (int i = 0; i < 2000; i++) getppid();
        });
        worker.Start();
        tidKnown.Wait(ct);

        var channel = Channel.CreateBounded<CounterEvent>(64); // smaller than the records: the reader waits for the consumer
        long perfRecords = 0;
        using var host = HostingFixture.Build(o =>
        {
            o.Programs.Add("count_syscalls");
            o.SetVariable("target_tid", (uint)tid);
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
        go.Set();
        worker.Join();

        // The thread's exit still makes system calls after Join: wait until the count stays put.
        long counted = HostingFixture.Read(counters, HostingFixture.Syscalls);
        for (long last = -1; counted != last; counted = HostingFixture.Read(counters, HostingFixture.Syscalls))
        {
            last = counted;
            Thread.Sleep(100);
        }
        Assert.True(counted >= 2000, $"the program counted {counted} system calls of the worker");
        var received = new List<ulong>();
        while (received.Count < counted) received.Add((await channel.Reader.ReadAsync(ct)).Count);
        Assert.Equal(Enumerable.Range(1, (int)counted).Select(i => (ulong)i), received);

        Assert.True(Eventually.Holds(() => values.GetValueOrDefault("bpf.reader.records|bpf.map=events") == counted),
            $"bpf.reader.records for events: {values.GetValueOrDefault("bpf.reader.records|bpf.map=events")}, the program wrote {counted}");
        Assert.True(Eventually.Holds(() => values.GetValueOrDefault("bpf.reader.records|bpf.map=perf_events")
            + values.GetValueOrDefault("bpf.reader.lost|bpf.map=perf_events") == counted));
        Assert.Equal(perfRecords, (long)values.GetValueOrDefault("bpf.reader.records|bpf.map=perf_events"));

        // run_cnt counts every system call of the machine (the program filters inside): the metric lies between two readings.
        ulong before = program.GetInfo().RunCount;
        listener.RecordObservableInstruments();
        ulong after = program.GetInfo().RunCount;
        double runs = values[$"bpf.program.runs|bpf.program=count_syscalls|bpf.program.id={program.Id}"];
        Assert.InRange(runs, before, after);
        Assert.True(runs >= counted);
        Assert.True(values[$"bpf.program.run_time|bpf.program=count_syscalls|bpf.program.id={program.Id}"] > 0);
        Assert.Equal(5, values["bpf.map.entries|bpf.map=counters"]);
        Assert.True(values["bpf.object.load.duration"] > 0);

        await host.StopAsync(ct);
        // The host completes the writer at stop; every record was read, so the channel is done.
        await channel.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);
    }
}
