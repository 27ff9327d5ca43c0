// execsnoop as a .NET service: BpfSharp.Hosting loads execsnoop.bpf.o (built from examples/execsnoop/execsnoop.bpf.c
// by dotnet build, with its skeleton), attaches it, logs each exec from its ring buffer reader thread as the
// skeleton's struct event, and OpenTelemetry's Prometheus exporter serves the meter BpfSharp on
// 127.0.0.1 (records read, program runs and run time from the kernel, load duration).
// Run: sudo dotnet run --project examples/Execsnoop.Service [-- --port 9464]; then curl http://127.0.0.1:9464/metrics
// Ctrl+C (SIGTERM) stops the host, which detaches, unless Bpf:KeepAttached is set (then a restart upgrades in place).
using System.Runtime.InteropServices;
using BpfSharp.Hosting;
using Execsnoop.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

int port = args.SkipWhile(a => a != "--port").Skip(1).Select(int.Parse).DefaultIfEmpty(9464).First();

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddBpfObject("execsnoop", o =>
{
    o.ObjectPath = Path.Combine(AppContext.BaseDirectory, ExecsnoopSkeleton.ObjectFileName);
    o.EnableRunTimeStatistics = true;
    // Upgrades that keep the program attached (docs/DEPLOYMENT.md): Bpf__PinRoot=/sys/fs/bpf/execsnoop Bpf__KeepAttached=true
    o.PinRoot = builder.Configuration["Bpf:PinRoot"];
    o.KeepAttached = bool.TryParse(builder.Configuration["Bpf:KeepAttached"], out bool keep) && keep;
    o.OnRecord("events", record => Exec.Log(MemoryMarshal.Read<ExecsnoopSkeleton.Event>(record)));
});
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(BpfMetrics.MeterName)
    .AddPrometheusHttpListener(p =>
    {
        p.Host = "127.0.0.1";
        p.Port = port;
        p.ScrapeResponseCacheDurationMilliseconds = 0; // each scrape collects anew: the numbers are the kernel's of that moment
    }));
var host = builder.Build();
Exec.Logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("execsnoop");
host.Run();

/// <summary>Logs each exec: struct event of execsnoop.bpf.c, typed by the skeleton generated from its BTF.</summary>
static class Exec
{
    public static ILogger? Logger;

    public static void Log(in ExecsnoopSkeleton.Event e) =>
        Logger?.LogInformation("exec pid={Pid} ppid={Ppid} uid={Uid} comm={Comm} file={File}", e.pid, e.ppid, e.uid, e.CommString, e.FilenameString);
}
