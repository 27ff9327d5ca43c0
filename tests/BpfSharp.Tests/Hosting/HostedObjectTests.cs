using BpfSharp.Hosting;
using BpfSharp.Links;
using BpfSharp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Tests.Hosting;

/// <summary>The hosted object's start and stop: update in place, refusals, the health check and what it logs.</summary>
public sealed class HostedObjectTests
{
    /// <summary>
    /// An XDP link can change its program: the second version takes over the same link (same id, compare-and-swap
    /// on the old program) while packets keep being counted; the health check then sees the link detached by
    /// someone else.
    /// </summary>
    [Fact]
    public async Task XdpUpgradeUpdatesTheSameLinkAndTheHealthCheckSeesItDetached()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        string pinRoot = HostingFixture.NewPinRoot();
        using var ns = TestNetns.Create();
        var logs = new LogCapture();
        try
        {
            IHost Host(uint version, bool keep) => HostingFixture.Build(o =>
            {
                o.PinRoot = pinRoot;
                o.KeepAttached = keep;
                o.Programs.Add("count_packets");
                o.SetVariable("version", version);
                o.AttachWith("count_packets", p => ns.Run(() => p.AttachXdp("lo")));
            }, logs, s => s.AddHealthChecks().AddBpfObjectCheck("counter"));

            uint linkId;
            using (var v1 = Host(1, keep: true))
            {
                await v1.StartAsync(ct);
                linkId = v1.Hosted().Links["count_packets"].Id;
                await v1.StopAsync(ct);
            }
            using var counters = BpfMap.OpenPinned(Path.Combine(pinRoot, "maps", "counters"));
            ns.SendUdp(count: 3);
            long before = HostingFixture.Read(counters, HostingFixture.Packets);
            Assert.True(before >= 3, $"the kept XDP program counted {before} packets");

            using var v2 = Host(2, keep: false);
            await v2.StartAsync(ct);
            var link = v2.Hosted().Links["count_packets"];
            Assert.Equal(linkId, link.Id);
            Assert.Equal(v2.Hosted().Object!.Programs["count_packets"].Program!.Id, link.GetInfo().ProgramId);
            Assert.Contains(logs.Entries, e => e.Id.Id == 4 && e.Message.Contains($"link id {linkId}"));
            ns.SendUdp(count: 3);
            Assert.Equal(2, HostingFixture.Read(counters, HostingFixture.PacketVersion));
            Assert.True(HostingFixture.Read(counters, HostingFixture.Packets) >= before + 3);
            Assert.Single(HostingFixture.LinksUsingMap(counters.Id));

            var health = v2.Services.GetRequiredService<HealthCheckService>();
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(ct)).Status);
            using (var other = BpfLink.FromId(linkId)) other.Detach();
            var report = await health.CheckHealthAsync(ct);
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.Contains("count_packets", report.Entries["bpf:counter"].Description);

            await v2.StopAsync(ct);
            Assert.False(Directory.Exists(pinRoot));
            Assert.True(Eventually.LinkGone(linkId));
            Assert.Contains(logs.Entries, e => e.Id.Id == 6 && e.Message.Contains("count_packets"));
        }
        finally
        {
            if (Directory.Exists(pinRoot)) Directory.Delete(pinRoot, recursive: true);
        }
    }

    /// <summary>A new version whose map no longer matches the pinned one is refused, naming the map; the old version stays attached.</summary>
    [Fact]
    public async Task PinnedMapOfAnotherLayoutIsRefusedNamingItAndTheOldVersionKeepsRunning()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        string pinRoot = HostingFixture.NewPinRoot();
        var logs = new LogCapture();
        try
        {
            IHost Host(bool keep, int counterSlots) => HostingFixture.Build(o =>
            {
                o.PinRoot = pinRoot;
                o.KeepAttached = keep;
                o.Programs.Add("count_syscalls");
                o.SetVariable("target_tid", (uint)HostingFixture.gettid());
                o.SetMaxEntries("counters", counterSlots);
            }, logs);

            using (var v1 = Host(keep: true, counterSlots: HostingFixture.CounterSlots))
            {
                await v1.StartAsync(ct);
                await v1.StopAsync(ct);
            }
            using var counters = BpfMap.OpenPinned(Path.Combine(pinRoot, "maps", "counters"));

            using (var v2 = Host(keep: true, counterSlots: 8))
            {
                var e = await Assert.ThrowsAsync<BpfException>(() => v2.StartAsync(ct));
                Assert.Contains("counters", e.Message);
                Assert.Contains($"max entries {HostingFixture.CounterSlots} vs 8", e.Message);
            }
            Assert.Contains(logs.Entries, e => e.Id.Id == 2 && e.Level == LogLevel.Error && e.Message.Contains("counters"));
            Assert.Single(HostingFixture.LinksUsingMap(counters.Id));
            Assert.True(Counters.Moves(counters), "the old version stopped counting");

            using (var cleanup = Host(keep: false, counterSlots: HostingFixture.CounterSlots))
            {
                await cleanup.StartAsync(ct);
                await cleanup.StopAsync(ct);
            }
            Assert.Empty(HostingFixture.LinksUsingMap(counters.Id));
            Assert.False(Directory.Exists(pinRoot));
        }
        finally
        {
            if (Directory.Exists(pinRoot)) Directory.Delete(pinRoot, recursive: true);
        }
    }

    /// <summary>A program the verifier rejects stops the host's start; the log has the verifier's own words.</summary>
    [Fact]
    public async Task VerifierRejectionIsLoggedWithTheVerifierLog()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        var logs = new LogCapture();
        using var host = HostingFixture.Build(o =>
        {
            o.ObjectPath = Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "verifier_reject.bpf.o");
            o.Programs.Add("bad_packet_read"); // autoload off in the object ("?xdp"): selecting it loads it
        }, logs);
        var e = await Assert.ThrowsAsync<BpfVerifierException>(() => host.StartAsync(ct));
        var entry = Assert.Single(logs.Entries, l => l.Id.Id == 2);
        Assert.Contains("invalid access to packet", e.VerifierLog);
        Assert.Contains("invalid access to packet", entry.Message);
        Assert.Null(host.Hosted().Object);
    }

    /// <summary>A program marked LoadOnly is loaded and left unattached; an unknown program or resource name is refused by name.</summary>
    [Fact]
    public async Task LoadOnlyProgramsAreLoadedButNotAttachedAndUnknownNamesAreRefused()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        using (var host = HostingFixture.Build(o => o.LoadOnly("count_syscalls").Programs.Add("count_syscalls")))
        {
            await host.StartAsync(ct);
            var obj = host.Hosted().Object!;
            Assert.NotNull(obj.Programs["count_syscalls"].Program);
            Assert.Empty(host.Hosted().Links);
            Assert.Empty(HostingFixture.LinksUsingMap(obj.Maps["counters"].Map!.Id));
            await host.StopAsync(ct);
        }
        using (var host = HostingFixture.Build(o => o.Programs.Add("no_such_program")))
            Assert.Contains("no_such_program", (await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync(ct))).Message);
        using (var host = HostingFixture.Build(o => o.SetVariable("no_such_variable", 1u)))
            Assert.Contains("no_such_variable", (await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync(ct))).Message);
        using (var host = HostingFixture.Build(o =>
        {
            o.ObjectPath = null;
            o.FromEmbeddedResource(typeof(HostedObjectTests).Assembly, "no_such_resource.bpf.o");
        }))
            Assert.Contains("no_such_resource.bpf.o", (await Assert.ThrowsAsync<FileNotFoundException>(() => host.StartAsync(ct))).Message);
    }

    /// <summary>KeepAttached without a pin root is refused before anything is loaded.</summary>
    [Fact]
    public async Task KeepAttachedWithoutPinRootIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var host = HostingFixture.Build(o => o.KeepAttached = true);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(ct));
        Assert.Contains("PinRoot", e.Message);
    }
}
