using System.Runtime.InteropServices;
using BpfSharp.Links;
using BpfSharp.Tests.Objects;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Links;

/// <summary>
/// Session probes with sessions.bpf.c: one program on a function's entry and return, the entry's return value deciding
/// whether the return runs, the session cookie carrying a per-call value from entry to return. The target is getsid,
/// which nothing else in the test process calls.
/// </summary>
public sealed partial class SessionProbeTests
{
    private const ulong CookieBase = 0xc0ffee0000000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsid(int pid);

    private static void CallGetsid(int times)
    {
        for (int i = 0; i < times; i++) getsid(0);
    }

    private static BpfObject LoadSessions()
    {
        // The fixture calls the session kfuncs (Linux 6.10): a kernel without them cannot load it at all.
        bool kfuncs = BpfSharp.Btf.BtfSpec.LoadKernel().TryFindId("bpf_session_cookie", BpfSharp.Btf.BtfKind.Func, out _);
        TestKernel.RequireKernelHas("the session kfuncs (bpf_session_cookie)", kfuncs, "the kernel's BTF has no bpf_session_cookie (Linux 6.10)");
        var obj = BpfObject.Open(ObjectLoadTests.Fixture("sessions.bpf.o"));
        // A kernel with kprobe sessions but not uprobe sessions (Debian's 6.12) refuses the session kfuncs in a
        // uprobe program: its uprobe programs are left out there.
        foreach (var program in obj.Programs.Values)
            if (program.SectionName.StartsWith("uprobe.session", StringComparison.Ordinal) && !BpfFeatures.UprobeSession.IsSupported)
                program.Autoload = false;
        obj.Load();
        return obj;
    }

    private static ulong Read(BpfObject obj, string variable) => obj.Variables[variable].Get<ulong>();

    [Fact]
    public void UprobeSession_RunsOnEntryAndReturn_WithTheCallsCookie()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.UprobeSession);
        using var obj = LoadSessions();
        var prog = obj.Programs["user_session"].Program!;
        Assert.Equal(BpfAttachType.TraceUprobeSession, prog.ExpectedAttachType);

        using var link = prog.AttachUprobeSession("libc.so.6", ["getsid"], new() { ProcessId = Environment.ProcessId });
        var info = Assert.IsType<UprobeMultiLinkInfo>(link.GetInfo());
        Assert.Equal(1u, info.Count);
        CallGetsid(5);

        Assert.Equal(5ul, Read(obj, "entries"));
        Assert.Equal(5ul, Read(obj, "returns"));
        Assert.Equal(5ul, Read(obj, "cookies_matched"));
        Assert.Equal(CookieBase + 5, Read(obj, "last_cookie"));

        link.Dispose();
        CallGetsid(3);
        Assert.Equal(5ul, Read(obj, "entries"));
    }

    [Fact]
    public void UprobeSession_EntryReturningNonZero_SkipsTheReturn()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.UprobeSession);
        using var obj = LoadSessions();
        obj.Variables["skip_return"].Set(1u);
        using var link = obj.Programs["user_session"].Program!.AttachUprobeSession("libc.so.6", "getsi?", new() { ProcessId = Environment.ProcessId });
        CallGetsid(4);
        Assert.Equal(4ul, Read(obj, "entries"));
        Assert.Equal(0ul, Read(obj, "returns"));

        obj.Variables["skip_return"].Set(0u);
        CallGetsid(2);
        Assert.Equal(6ul, Read(obj, "entries"));
        Assert.Equal(2ul, Read(obj, "returns"));
        Assert.Equal(2ul, Read(obj, "cookies_matched"));
    }

    [Fact]
    public void UprobeSession_AutoAttachesWhereItsSectionSays()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.UprobeSession);
        using var obj = LoadSessions();
        using var link = obj.Programs["auto_session"].Program!.Attach();
        Assert.IsType<UprobeMultiLink>(link);
        CallGetsid(3);
        link.Dispose();

        // Every process's getsid: at least this one's three calls, each entry with its return.
        ulong entries = Read(obj, "auto_entries");
        Assert.True(entries >= 3, $"{entries} entries for 3 calls");
        Assert.Equal(entries, Read(obj, "auto_returns"));
    }

    [Fact]
    public void KprobeSession_RunsOnEntryAndReturn_WithTheCallsCookie()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.KprobeSession);
        using var obj = LoadSessions();
        string function = KernelSymbols.Current.SyscallFunctionName("getsid");
        using var link = obj.Programs["kernel_session"].Program!.AttachKprobeSession([function]);
        Assert.IsType<KprobeMultiLinkInfo>(link.GetInfo());
        CallGetsid(5);
        link.Dispose();

        // Other processes may call getsid too: every entry had its return and found its own cookie.
        ulong entries = Read(obj, "kernel_entries");
        Assert.True(entries >= 5, $"{entries} entries for 5 calls");
        Assert.Equal(entries, Read(obj, "kernel_returns"));
        Assert.Equal(entries, Read(obj, "kernel_cookies_matched"));
    }

    [Fact]
    public void KprobeSession_WhereTheKernelLacksIt_ThrowsNotSupportedNamingIt()
    {
        TestKernel.RequireRoot();
        Assert.SkipWhen(BpfFeatures.KprobeSession.IsSupported, "this kernel has kprobe.session links");
        using var obj = LoadSessions();
        var e = Assert.Throws<BpfFeatureNotSupportedException>(() =>
            obj.Programs["kernel_session"].Program!.AttachKprobeSession([KernelSymbols.Current.SyscallFunctionName("getsid")]));
        Assert.Equal(BpfFeatures.KprobeSession.Name, e.Feature);
        Assert.Contains(BpfFeatures.KprobeSession.MissingReason!, e.Message);
    }

    [Fact]
    public void ASessionAttach_OfAProgramNotLoadedForSessions_OrAskedForReturns_IsRefused()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.UprobeSession);
        using var obj = LoadSessions();
        var session = obj.Programs["user_session"].Program!;
        Assert.Throws<ArgumentException>(() => session.AttachUprobeSession("libc.so.6", ["getsid"], new() { Retprobe = true }));

        var insns = new BpfSharp.Asm.BpfAssembler().Mov64(BpfSharp.Asm.BpfRegister.R0, 0).Exit().Build();
        using var multi = BpfProgram.Load(BpfProgramType.Kprobe, insns, new() { Name = "t_multi", ExpectedAttachType = BpfAttachType.TraceUprobeMulti });
        var e = Assert.Throws<InvalidOperationException>(() => multi.AttachUprobeSession("libc.so.6", ["getsid"]));
        Assert.Contains("TraceUprobeSession", e.Message);
    }
}
