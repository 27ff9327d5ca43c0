using System.Globalization;
using System.Runtime.InteropServices;
using BpfSharp.Events;
using BpfSharp.Links;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Links;

/// <summary>
/// USDT attach against real probes: the fixture programs (scripts/build-native-fixtures.sh) fire sys/sdt.h probes
/// and print what they passed; the BPF side (Objects/Fixtures/usdt.bpf.c, libbpf's usdt.bpf.h unchanged) reads the
/// arguments with bpf_usdt_arg and sends them through a ring buffer.
/// </summary>
public class UsdtLinkTests
{
    private static BpfObject Load(bool cookies = true, bool multi = true)
    {
        if (multi) TestKernel.RequireFeature(BpfFeatures.UprobeMulti);
        if (cookies) TestKernel.RequireFeature(BpfFeatures.BpfCookie);
        var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "usdt.bpf.o"),
            new BpfObjectOptions { UsdtWithoutCookies = !cookies, UsdtWithoutUprobeMulti = !multi });
        obj.Load();
        return obj;
    }

    private static List<UsdtFixtures.Event> Drain(BpfObject obj)
    {
        using var ring = new RingBufferReader(obj.Maps["usdt_events"].Map!);
        var events = new List<UsdtFixtures.Event>();
        ring.Consume(record => events.Add(MemoryMarshal.Read<UsdtFixtures.Event>(record)));
        return events;
    }

    private static long[] Values(string line) =>
        [.. line.Split(' ').Skip(1).Select(v => v.StartsWith('-') ? long.Parse(v, CultureInfo.InvariantCulture) : unchecked((long)ulong.Parse(v, CultureInfo.InvariantCulture)))];

    private static void AssertArguments(IEnumerable<string> printed, IEnumerable<UsdtFixtures.Event> events, int count)
    {
        var expected = printed.Select(Values).ToList();
        var seen = events.ToList();
        Assert.Equal(expected.Count, seen.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(count, seen[i].Count);
            Assert.Equal(new int[count], seen[i].ErrorList(count));
            Assert.Equal(expected[i], seen[i].ArgList(count));
        }
    }

    public static TheoryData<string, bool, bool> ArgumentMatrix => new()
    {
        { "usdt_app_O0", true, true }, { "usdt_app_O2", true, true },
        { "usdt_app_O0", false, true }, { "usdt_app_O2", false, true },
        { "usdt_app_O0", true, false }, { "usdt_app_O2", true, false },
        { "usdt_app_O0", false, false }, { "usdt_app_O2", false, false },
    };

    /// <summary>Two inlined sites with different argument locations; every size and signedness; for all processes and for one.</summary>
    [Theory]
    [MemberData(nameof(ArgumentMatrix))]
    public void Arguments_AreWhatTheProgramPassed(string binary, bool cookies, bool multi)
    {
        TestKernel.RequireRoot();
        using var obj = Load(cookies, multi);
        var prog = obj.Programs["on_usdt"].Program!;
        using var app = new UsdtFixtures.Running(binary);
        // Without cookies a position-independent executable needs the process: its addresses depend on the mapping.
        using var link = prog.AttachUsdt(UsdtFixtures.Path(binary), "bpfsharp", "args", new UsdtAttachOptions { Cookie = 77, ProcessId = cookies ? -1 : app.Pid });
        Assert.Equal(2, link.SiteCount);
        Assert.Equal(multi ? 1 : 2, link.Links.Count);
        Assert.All(link.Links, l => Assert.Equal(multi ? BpfLinkType.UprobeMulti : BpfLinkType.PerfEvent, l.LinkType));
        for (long seed = 1; seed <= 3; seed++)
        {
            var printed = app.Fire(seed).Where(l => l.StartsWith("args ", StringComparison.Ordinal)).ToList();
            var events = Drain(obj);
            AssertArguments(printed, events, 6);
            Assert.All(events, e => Assert.Equal(77UL, e.Cookie));
            Assert.All(events, e => Assert.Equal((uint)app.Pid, e.Pid));
        }
    }

    /// <summary>
    /// Without cookies a fixed-address executable needs no process id: its sites have their linked addresses in every
    /// process, which is what the address map is keyed by.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NoCookies_FixedAddressExecutable_EveryProcess(bool multi)
    {
        TestKernel.RequireRoot();
        using var obj = Load(cookies: false, multi: multi);
        using var app = new UsdtFixtures.Running("usdt_app_nopie");
        using var link = obj.Programs["on_usdt"].Program!.AttachUsdt(UsdtFixtures.Path("usdt_app_nopie"), "bpfsharp", "args", new UsdtAttachOptions { Cookie = 5 });
        var sites = UsdtTarget.Resolve(UsdtFixtures.Path("usdt_app_nopie"), "bpfsharp", "args");
        Assert.Equal(sites.Select(s => (long)s.Address).Order(), obj.Maps["__bpf_usdt_ip_to_spec_id"].Map!.GetKeys<long>().Order());
        var events = Drain(obj);
        Assert.Empty(events);
        AssertArguments(app.Fire(4).Where(l => l.StartsWith("args ", StringComparison.Ordinal)), events = Drain(obj), 6);
        Assert.All(events, e => Assert.Equal(5UL, e.Cookie));
        Assert.Equal(sites.Select(s => s.Address).Order(), events.Select(e => e.Ip).Order());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConstantsGlobalsAndRipRelative_AreRead(bool cookies)
    {
        TestKernel.RequireRoot();
        using var obj = Load(cookies);
        var prog = obj.Programs["on_usdt"].Program!;
        using var app = new UsdtFixtures.Running("usdt_app_O2");
        // -8@threshold(%rip) at -O2.
        Assert.Contains(UsdtTarget.Resolve(UsdtFixtures.Path("usdt_app_O2"), "bpfsharp", "global"), t => t.Arguments.Contains("(%rip)", StringComparison.Ordinal));
        using var global = prog.AttachUsdt(app.Pid, "bpfsharp", "global");
        var printed = app.Fire(5);
        AssertArguments(printed.Where(l => l.StartsWith("global ", StringComparison.Ordinal)), Drain(obj), 1);
        global.Dispose();
        using var o0 = new UsdtFixtures.Running("usdt_app_O0");
        using var memory = prog.AttachUsdt(o0.Pid, "bpfsharp", "memory");
        // -4@$5 and stack slots at -O0; the constant 5 and a negative value.
        AssertArguments(o0.Fire(6).Where(l => l.StartsWith("memory ", StringComparison.Ordinal)), Drain(obj), 4);
    }

    [Fact]
    public void IndexedOperand_WithTheHeadersOlderThanLibbpf17_IsRefusedNamingProbeAndArgument()
    {
        TestKernel.RequireRoot();
        using var obj = Load();
        var prog = obj.Programs["on_usdt"].Program!;
        var e = Assert.Throws<UsdtArgumentException>(() => prog.AttachUsdt(UsdtFixtures.Path("usdt_app_O2"), "bpfsharp", "memory"));
        Assert.Contains("bpfsharp:memory", e.Message);
        Assert.Contains("-8@(%rax,%rdx,8)", e.Message);
        Assert.Contains("BPF_USDT_ARG_SIB", e.Message);
        // Nothing was left taken: the next attach gets slot 0 again.
        Assert.Equal(0, prog.UsdtSpecs!.State.Next - prog.UsdtSpecs!.State.Free.Length);
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SibEvent
    {
        public int Count;
        public int Pad;
        public fixed long Args[4];
        public fixed int Errors[4];
    }

    /// <summary>
    /// libbpf 1.7's layout (usdt_sib.bpf.c declares it; its own code reads it): base + index × scale operands, a
    /// non-PIC array element (SYMBOL(,%index,8)) and RIP-relative globals, in a PIE and a fixed-address executable.
    /// </summary>
    [Theory]
    [InlineData("usdt_app_O2", "memory", "-8@(%rax,%rdx,8)")]
    [InlineData("usdt_app_nopie", "memory", "-8@table(,%rax,8)")]
    [InlineData("usdt_app_nopie", "global", "-8@threshold(%rip)")]
    public unsafe void IndexedAndSymbolOperands_WithLibbpf17Layout(string binary, string probe, string form)
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.BpfCookie);
        using var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "usdt_sib.bpf.o"));
        obj.Load();
        var prog = obj.Programs["on_usdt_sib"].Program!;
        Assert.True(prog.UsdtSpecs!.Layout.SupportsIndexedMemory);
        Assert.Equal(304, prog.UsdtSpecs!.Layout.ValueSize);
        Assert.Contains(form, Assert.Single(UsdtTarget.Resolve(UsdtFixtures.Path(binary), "bpfsharp", probe)).Arguments);
        using var app = new UsdtFixtures.Running(binary);
        using var link = prog.AttachUsdt(UsdtFixtures.Path(binary), "bpfsharp", probe);
        for (long seed = 1; seed <= 9; seed += 4)
        {
            var expected = app.Fire(seed).Where(l => l.StartsWith(probe + " ", StringComparison.Ordinal)).Select(Values).ToList();
            using var ring = new RingBufferReader(obj.Maps["sib_events"].Map!);
            var events = new List<SibEvent>();
            ring.Consume(record => events.Add(MemoryMarshal.Read<SibEvent>(record)));
            var e = Assert.Single(events);
            var want = Assert.Single(expected);
            Assert.Equal(want.Length, e.Count);
            for (int i = 0; i < want.Length; i++)
            {
                Assert.Equal(0, e.Errors[i]);
                Assert.Equal(want[i], e.Args[i]);
            }
        }
    }

    [Fact]
    public void SegmentOperand_IsRefusedNamingProbeAndArgument()
    {
        TestKernel.RequireRoot();
        using var obj = Load();
        var e = Assert.Throws<UsdtArgumentException>(() => obj.Programs["on_usdt"].Program!.AttachUsdt(UsdtFixtures.Path("usdt_app_O2"), "bpfsharp", "tls"));
        Assert.Contains("bpfsharp:tls", e.Message);
        Assert.Contains("-8@%fs:tls_value@tpoff", e.Message);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void SharedLibraryProbe_ByPathAndThroughTheProcessMaps(bool cookies, bool byPid)
    {
        TestKernel.RequireRoot();
        using var obj = Load(cookies);
        var prog = obj.Programs["on_usdt"].Program!;
        using var app = new UsdtFixtures.Running("usdt_app_O2");
        if (!cookies && !byPid)
        {
            // A shared library's sites have per-process addresses: without cookies only one process can be traced.
            var e = Assert.Throws<BpfFeatureNotSupportedException>(() => prog.AttachUsdt(UsdtFixtures.Path("libusdt_fixture.so"), "bpfsharp_lib", "call"));
            Assert.Contains("BPF cookies", e.Message);
            Assert.Equal(0, prog.UsdtSpecs!.State.Next - prog.UsdtSpecs!.State.Free.Length);
            return;
        }
        using var link = byPid ? prog.AttachUsdt(app.Pid, "bpfsharp_lib", "call")
            : prog.AttachUsdt(UsdtFixtures.Path("libusdt_fixture.so"), "bpfsharp_lib", "call");
        AssertArguments(app.Fire(9).Where(l => l.StartsWith("lib ", StringComparison.Ordinal)), Drain(obj), 2);
    }

    [Fact]
    public void ProcessFilter_OtherProcessesDoNotFire()
    {
        TestKernel.RequireRoot();
        using var obj = Load();
        using var traced = new UsdtFixtures.Running("usdt_app_O0");
        using var other = new UsdtFixtures.Running("usdt_app_O0");
        using var link = obj.Programs["on_usdt"].Program!.AttachUsdt(UsdtFixtures.Path("usdt_app_O0"), "bpfsharp", "args", new UsdtAttachOptions { ProcessId = traced.Pid });
        other.Fire(1);
        Assert.Empty(Drain(obj));
        traced.Fire(1);
        Assert.Equal(2, Drain(obj).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Semaphore_IsRaisedWhileAttached(bool multi)
    {
        TestKernel.RequireRoot();
        using var obj = Load(multi: multi);
        var prog = obj.Programs["on_usdt"].Program!;
        using var app = new UsdtFixtures.Running("usdt_app_O2");
        Assert.Contains("guarded 0", app.Fire(1));
        Assert.NotEqual(0UL, Assert.Single(UsdtTarget.Resolve(UsdtFixtures.Path("usdt_app_O2"), "bpfsharp", "guarded")).SemaphoreOffset);
        using (var link = prog.AttachUsdt(UsdtFixtures.Path("usdt_app_O2"), "bpfsharp", "guarded"))
        {
            var printed = app.Fire(2);
            Assert.Contains("guarded 1", printed);
            AssertArguments(printed.Where(l => l.StartsWith("guarded-fired ", StringComparison.Ordinal)), Drain(obj), 1);
        }
        Assert.Contains("guarded 0", app.Fire(3));
        Assert.Empty(Drain(obj));
    }

    [Fact]
    public void Dispose_FreesSpecSlotsAndAddresses_DisconnectKeepsThem()
    {
        TestKernel.RequireRoot();
        using var obj = Load(cookies: false);
        var prog = obj.Programs["on_usdt"].Program!;
        var ips = obj.Maps["__bpf_usdt_ip_to_spec_id"].Map!;
        using var app = new UsdtFixtures.Running("usdt_app_O0");
        var link = prog.AttachUsdt(app.Pid, "bpfsharp", "args");
        Assert.Equal(2, link.SpecIds.Count);
        Assert.Equal(2, ips.GetKeys().Count());
        link.Dispose();
        Assert.Empty(ips.GetKeys());
        Assert.Equal(2, prog.UsdtSpecs!.State.Free.Length);
        app.Fire(1);
        Assert.Empty(Drain(obj));

        // The freed slots are reused; a disconnected link keeps its slots, addresses and sites.
        var kept = prog.AttachUsdt(app.Pid, "bpfsharp", "args");
        Assert.Equal([0, 1], kept.SpecIds.Order());
        kept.Disconnect();
        kept.Dispose();
        try
        {
            Assert.Equal(2, ips.GetKeys().Count());
            Assert.Empty(prog.UsdtSpecs!.State.Free);
            app.Fire(2);
            Assert.Equal(2, Drain(obj).Count);
            // Without cookies a site has one spec: a second attachment to the same sites is refused, and gives back its slot.
            var e = Assert.Throws<BpfException>(() => prog.AttachUsdt(app.Pid, "bpfsharp", "args"));
            Assert.Contains("already covers", e.Message);
            Assert.Equal([2], prog.UsdtSpecs!.State.Free);
        }
        finally
        {
            // The disconnected uprobe.multi link is this test's to close.
            foreach (var part in kept.Links) part.Handle!.Dispose();
        }
    }

    [Fact]
    public void Pin_PinsEverySiteUnderOneDirectory()
    {
        TestKernel.RequireRoot();
        using var obj = Load(multi: false);
        using var dir = new TempBpfFsDir();
        using var app = new UsdtFixtures.Running("usdt_app_O0");
        using var link = obj.Programs["on_usdt"].Program!.AttachUsdt(UsdtFixtures.Path("usdt_app_O0"), "bpfsharp", "args");
        link.Pin(dir["usdt"]);
        Assert.Equal(["link0", "link1"], Directory.GetFiles(dir["usdt"]).Select(Path.GetFileName).Order());
        using (var pinned = BpfLink.OpenPinned(Path.Combine(dir["usdt"], "link0")))
            Assert.Equal(link.Links[0].Id, pinned.Id);
        Assert.Throws<NotSupportedException>(link.Detach);
        Assert.Throws<NotSupportedException>(() => link.GetInfo());
        link.Unpin();
        Assert.False(Directory.Exists(dir["usdt"]));
    }

    /// <summary>
    /// Per-site ioctl attachments (without cookies only) have no kernel link: pinning fails and pins nothing, Detach
    /// detaches every site.
    /// </summary>
    [Fact]
    public void IoctlSites_CannotBePinned_DetachDetachesEverySite()
    {
        TestKernel.RequireRoot();
        using (var withCookies = Load(multi: false))
            Assert.Contains("carries no BPF cookie", Assert.Throws<NotSupportedException>(() => withCookies.Programs["on_usdt"].Program!
                .AttachUsdt(UsdtFixtures.Path("usdt_app_O0"), "bpfsharp", "args", new UsdtAttachOptions { UseIoctl = true })).Message);
        using var obj = Load(cookies: false, multi: false);
        using var dir = new TempBpfFsDir();
        using var app = new UsdtFixtures.Running("usdt_app_O0");
        using var link = obj.Programs["on_usdt"].Program!.AttachUsdt(UsdtFixtures.Path("usdt_app_O0"), "bpfsharp", "args",
            new UsdtAttachOptions { UseIoctl = true, ProcessId = app.Pid });
        Assert.All(link.Links, l => Assert.Equal(BpfLinkKind.PerfEventIoctl, l.Kind));
        Assert.Throws<NotSupportedException>(() => link.Pin(dir["usdt"]));
        Assert.Null(link.PinPath);
        Assert.False(Directory.Exists(dir["usdt"]) && Directory.EnumerateFileSystemEntries(dir["usdt"]).Any());
        app.Fire(1);
        Assert.Equal(2, Drain(obj).Count);
        link.Detach();
        app.Fire(2);
        Assert.Empty(Drain(obj));
    }

    [Fact]
    public void LibstdcxxThrow_AutoAttachedFromTheSection()
    {
        TestKernel.RequireRoot();
        using var obj = Load();
        var skipped = new List<string>();
        var links = obj.AttachAll(skipped.Add);
        try
        {
            // on_throw names its target; on_usdt and count_usdt do not, and are skipped with the method to use.
            var link = Assert.IsType<UsdtLink>(Assert.Single(links));
            Assert.True(link.SiteCount >= 1);
            Assert.Equal(2, skipped.Count);
            Assert.All(skipped, s => Assert.Contains("AttachUsdt(", s));
            using var app = new UsdtFixtures.Running("usdt_throw");
            var printed = app.Fire(1);
            var events = Drain(obj).Where(e => e.Pid == (uint)app.Pid).ToList();
            AssertArguments(printed, events, 2);
        }
        finally
        {
            foreach (var l in links) l.Dispose();
        }
    }

    /// <summary>The spec values BpfSharp writes are byte for byte the ones the distribution's libbpf writes for the same probe.</summary>
    [Theory]
    [InlineData("usdt_app_O0", "bpfsharp", "args")]
    [InlineData("usdt_app_O2", "bpfsharp", "args")]
    [InlineData("usdt_app_O0", "bpfsharp", "memory")]
    [InlineData("usdt_app_O2", "bpfsharp", "guarded")]
    [InlineData("libusdt_fixture.so", "bpfsharp_lib", "call")]
    [InlineData("libstdc++.so.6", "libstdcxx", "throw")]
    public void SpecValues_AreLibbpfs(string binary, string provider, string name)
    {
        TestKernel.RequireRoot();
        string path = binary.StartsWith("libstdc", StringComparison.Ordinal) ? BinaryLocator.Resolve(binary) : UsdtFixtures.Path(binary);
        string objectPath = Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "usdt.bpf.o");
        var libbpf = TestKernel.Run(UsdtFixtures.Path("usdt_libbpf_specs"), objectPath, "on_usdt", path, provider, name)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        Assert.NotEmpty(libbpf);
        using var obj = Load();
        using var link = obj.Programs["on_usdt"].Program!.AttachUsdt(path, provider, name);
        var specs = obj.Maps["__bpf_usdt_specs"].Map!;
        var ours = link.SpecIds.Select(id =>
        {
            var value = new byte[specs.ValueSize];
            specs.Lookup(BitConverter.GetBytes(id), value);
            return Convert.ToHexString(value);
        }).Order().ToList();
        Assert.Equal(libbpf, ours);
    }

    [Fact]
    public void ProgramWithoutSpecMaps_IsRefused()
    {
        TestKernel.RequireRoot();
        using var counts = BpfMap.Create(BpfMapType.Array, 4, 8, 1);
        using var prog = BpfProgram.Load(BpfProgramType.Kprobe, TestChild.TestPrograms.Counting(counts));
        var e = Assert.Throws<InvalidOperationException>(() => prog.AttachUsdt(UsdtFixtures.Path("usdt_app_O0"), "bpfsharp", "args"));
        Assert.Contains("usdt.bpf.h", e.Message);
    }
}
