using System.Globalization;
using BpfSharp.Events;
using BpfSharp.Hosting;
using BpfSharp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Tests.Hosting;

/// <summary>The reader threads: records lost by a full perf buffer, a handler that throws.</summary>
public sealed class HostedEventTests
{
    /// <summary>
    /// A one-page perf buffer behind a slow handler drops records, which the host logs as warnings with the
    /// kernel's counts.
    /// </summary>
    [Fact]
    public async Task RecordsLostByAFullPerfBufferAreLoggedAndAccountedFor()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        var worker = new CountedThread();
        var logs = new LogCapture();
        int handled = 0;
        using var host = HostingFixture.Build(o =>
        {
            o.Programs.Add("count_syscalls");
            o.SetVariable("target_tid", (uint)worker.Tid);
            o.PerfBuffer = new PerfBufferOptions { PagesPerCpu = 1 };
            o.OnRecord("perf_events", _ =>
            {
                if (Interlocked.Increment(ref handled) < 50) Thread.Sleep(2); // fall behind while the worker runs
            });
        }, logs);
        await host.StartAsync(ct);
        var counters = host.Hosted().Object!.Maps["counters"].Map!;
        worker.Run(20_000, 10); // the second burst carries the report of the first one's losses
        long counted = CountedThread.Settled(counters);

        // The kernel reports a loss (PERF_RECORD_LOST) when the ring has room again, before the next record: the last
        // losses of a burst are reported only with the next record. So: read + reported lost <= written, and some were lost.
        long Lost() => logs.Entries.Where(e => e.Id.Id == 11).Sum(e => long.Parse(e.Message.Split(' ')[0], CultureInfo.InvariantCulture));
        Assert.True(Eventually.Holds(() => Lost() > 0), "a one-page buffer behind a slow handler lost nothing");
        Assert.InRange(host.Hosted().RecordsRead["perf_events"] + Lost(), 1, counted);
        Assert.All(logs.Entries.Where(e => e.Id.Id == 11), e => Assert.Equal(LogLevel.Warning, e.Level));
        await host.StopAsync(ct);
    }

    /// <summary>A handler that throws is logged and skipped; the other handlers of the map get every record, and the reader stays healthy.</summary>
    [Fact]
    public async Task AThrowingHandlerIsLoggedAndTheOthersGetEveryRecord()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        var worker = new CountedThread();
        var logs = new LogCapture();
        long seen = 0;
        using var host = HostingFixture.Build(o =>
        {
            o.ObjectPath = null;
            o.FromEmbeddedResource(typeof(HostedEventTests).Assembly, "hosting.bpf.o");
            o.Programs.Add("count_syscalls");
            o.SetVariable("target_tid", (uint)worker.Tid);
            o.OnRecord("events", _ => throw new InvalidOperationException("handler failure for the test"));
            o.OnRecord("events", _ => Interlocked.Increment(ref seen));
        }, logs, s => s.AddHealthChecks().AddBpfObjectCheck("counter"));
        await host.StartAsync(ct);
        var counters = host.Hosted().Object!.Maps["counters"].Map!;
        worker.Run(100);
        long counted = CountedThread.Settled(counters);

        Assert.True(Eventually.Holds(() => Interlocked.Read(ref seen) == counted), $"the second handler saw {seen} of {counted}");
        var faults = logs.Entries.Where(e => e.Id.Id == 12).ToList();
        Assert.Equal(counted, faults.Count);
        Assert.All(faults, f => Assert.Equal("handler failure for the test", f.Exception?.Message));
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        await host.StopAsync(ct);
        Assert.Contains(logs.Entries, e => e.Id.Id == 6 && e.Message.Contains("count_syscalls"));
    }
}
