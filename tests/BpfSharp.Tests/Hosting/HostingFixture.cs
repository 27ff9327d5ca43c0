using System.Runtime.InteropServices;
using BpfSharp.Hosting;
using BpfSharp.Links;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Tests.Hosting;

/// <summary>
/// Objects/Fixtures/hosting.bpf.o (see the fixtures' README) in a real host, and what the tests read back:
/// its counter slots, the system's links running its programs, a per-test pin root.
/// </summary>
internal static partial class HostingFixture
{
    public static string ObjectPath => Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "hosting.bpf.o");

    public const int Syscalls = 0, SyscallVersion = 1, Packets = 2, PacketVersion = 3, RingbufDropped = 4, PerfFailed = 5, PerfError = 6;
    public const int CounterSlots = 7;

    /// <summary>A pin root of this test's own under /sys/fs/bpf (the pid and a random part: neighbours run tests too).</summary>
    public static string NewPinRoot() => $"/sys/fs/bpf/bpfsharp-hosting-{Environment.ProcessId}-{Guid.NewGuid():N}"[..56];

    /// <summary>A host with the fixture added as "counter", configured further by <paramref name="configure"/>; logs go to <paramref name="logs"/>.</summary>
    public static IHost Build(Action<BpfHostedObjectOptions> configure, LogCapture? logs = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddBpfObject("counter", o =>
        {
            o.ObjectPath = ObjectPath;
            configure(o);
        });
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static BpfHostedObject Hosted(this IHost host) => host.Services.GetRequiredKeyedService<BpfHostedObject>("counter");

    public static long Read(BpfMap counters, int slot) => counters.Lookup<int, long>(slot);

    /// <summary>The ids of the system's links whose program uses the map with id <paramref name="mapId"/>.</summary>
    public static List<uint> LinksUsingMap(uint mapId)
    {
        var found = new List<uint>();
        foreach (uint id in BpfLink.EnumerateIds())
        {
            try
            {
                using var link = BpfLink.FromId(id);
                using var program = BpfProgram.FromId(link.GetInfo().ProgramId);
                if (program.GetInfo().MapIds.Contains(mapId)) found.Add(id);
            }
            catch (BpfException e) when (e.Errno == Errno.ENOENT) { /* gone meanwhile */ }
        }
        return found;
    }

    [LibraryImport("libc")]
    public static partial int gettid();
}
