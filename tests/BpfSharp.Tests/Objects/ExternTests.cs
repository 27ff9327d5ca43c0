using System.Text;
using BpfSharp.Btf;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// kconfig and ksym externs resolved against the running kernel; the witnesses are the kernel's own files:
/// /proc/config.gz (read here with gzip, not through BpfSharp), /proc/sys/kernel/osrelease, /proc/kallsyms
/// and the vmlinux BTF.
/// </summary>
public class ExternTests
{
    /// <summary>A configuration for the tests about ksyms, which must not depend on the kernel exposing its own.</summary>
    private static readonly KernelConfig SomeConfig =
        KernelConfig.Parse("CONFIG_BPF=y\nCONFIG_BPF_SYSCALL=y\nCONFIG_HZ=250\nCONFIG_DEFAULT_HOSTNAME=\"(none)\"\n");

    private static void RequireKernelConfig()
    {
        if (KernelConfig.Current.Source is null)
            Assert.Skip("the running kernel exposes no configuration (/proc/config.gz, /boot/config-$(uname -r))");
    }

    private static BpfObject LoadAndRun(params string[] programs)
    {
        RequireKernelConfig();
        var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs.bpf.o"));
        try
        {
            obj.Load();
            foreach (var p in programs) obj.Programs[p].Program!.TestRun(new BpfTestRunOptions());
            return obj;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    private static ulong V(BpfObject obj, string name) => obj.Variables[name].Get<ulong>();

    private static Dictionary<string, string> ConfigFromProc()
    {
        var psi = new System.Diagnostics.ProcessStartInfo("sh", ["-c", "zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)"])
            { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Split('\n').Where(l => l.StartsWith("CONFIG_") && l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
    }

    [Fact]
    public void Kconfig_ValuesMatchTheKernelsConfiguration()
    {
        TestKernel.RequireRoot();
        RequireKernelConfig();
        var config = ConfigFromProc();
        using var obj = LoadAndRun("read_kconfig");
        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim().Split('.', '-', '+');
        ulong expectedVersion = ulong.Parse(release[0]) << 16 | ulong.Parse(release[1]) << 8 | Math.Min(ulong.Parse(release[2]), 255);
        Assert.Equal(expectedVersion, V(obj, "kernel_version"));
        Assert.Equal(config["CONFIG_BPF"] == "y" ? 1UL : 0UL, V(obj, "bpf_enabled"));
        Assert.Equal(config["CONFIG_BPF_SYSCALL"] switch { "y" => 1UL, "m" => 2UL, _ => 0UL }, V(obj, "bpf_syscall"));
        Assert.Equal(ulong.Parse(config["CONFIG_HZ"]), V(obj, "hz"));
        Assert.Equal(config["CONFIG_DEFAULT_HOSTNAME"].Trim('"'), Encoding.ASCII.GetString(obj.Variables["hostname"].GetBytes()).TrimEnd('\0'));
        // The witness is not the probe that computed the value: in a CI guest the kernel's version (cookies are
        // Linux 5.15), elsewhere bpftool's own helper probe (a host's kernel may be patched).
        bool cookies = TestKernel.GuestKernel is not null
            ? TestKernel.Version >= new Version(5, 15)
            : BpftoolProbe.HasHelper("tracepoint", "bpf_get_attach_cookie");
        Assert.Equal(cookies ? 1UL : 0UL, V(obj, "has_cookie"));
        // __weak and absent from the configuration: zero.
        Assert.Equal((0UL, 0UL), (V(obj, "missing_tristate"), V(obj, "missing_int")));
        // A __weak LINUX_ name libbpf does not define: zero too (the variable starts at 1).
        Assert.Equal(0UL, V(obj, "unknown_linux"));
        // The kconfig map is visible as variables too, and read-only for programs.
        Assert.Equal(int.Parse(config["CONFIG_HZ"]), obj.Variables["CONFIG_HZ"].Get<int>());
        var kconfig = obj.Maps["externs.kconfig"].Map!.GetInfo();
        Assert.True(kconfig.Flags.HasFlag(BpfMapFlags.ReadOnlyProgram));
    }

    [Fact]
    public void Kconfig_ASuppliedConfigurationIsUsedInstead()
    {
        TestKernel.RequireRoot();
        var config = KernelConfig.Parse("CONFIG_BPF=y\nCONFIG_BPF_SYSCALL=m\nCONFIG_HZ=1000\nCONFIG_DEFAULT_HOSTNAME=\"bpfsharp-host-name-too-long\"\nCONFIG_BPFSHARP_MISSING=y\n");
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs.bpf.o"), new BpfObjectOptions { KernelConfig = config });
        obj.Load();
        obj.Programs["read_kconfig"].Program!.TestRun(new BpfTestRunOptions());
        Assert.Equal((2UL, 1000UL, 1UL), (V(obj, "bpf_syscall"), V(obj, "hz"), V(obj, "missing_tristate")));
        // A string longer than the array is cut to leave its terminating NUL.
        Assert.Equal("bpfsharp-host-n", Encoding.ASCII.GetString(obj.Variables["hostname"].GetBytes()).TrimEnd('\0'));
    }

    [Fact]
    public void Kconfig_AValueOfTheWrongShape_FailsNamingIt()
    {
        TestKernel.RequireRoot();
        var config = KernelConfig.Parse("CONFIG_BPF=y\nCONFIG_BPF_SYSCALL=y\nCONFIG_HZ=fast\nCONFIG_DEFAULT_HOSTNAME=\"x\"\n");
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs.bpf.o"), new BpfObjectOptions { KernelConfig = config });
        int fds = Directory.GetFiles("/proc/self/fd").Length;
        var ex = Assert.Throws<BpfException>(obj.Load);
        Assert.Contains("CONFIG_HZ = fast", ex.Message);
        Assert.Equal(fds, Directory.GetFiles("/proc/self/fd").Length);
    }

    [Fact]
    public void Ksyms_TypedByBtfId_UntypedByKallsymsAddress_WeakMissingIsZero()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs.bpf.o"), new BpfObjectOptions { KernelConfig = SomeConfig });
        obj.Load();
        obj.Programs["read_ksyms"].Program!.TestRun(new BpfTestRunOptions());
        ulong kallsyms = File.ReadLines("/proc/kallsyms").Select(l => l.Split(' ')).Where(f => f.Length >= 3 && f[2] == "__start_BTF")
            .Select(f => Convert.ToUInt64(f[0], 16)).Single();
        Assert.NotEqual(0UL, kallsyms);
        Assert.Equal(kallsyms, V(obj, "start_btf_addr"));
        Assert.Equal(0UL, V(obj, "missing_var_addr"));
    }

    [Fact]
    public void Ksyms_TypedVariable_IsLoadedByItsBtfId()
    {
        TestKernel.RequireRoot();
        // The kernel itself looks the variable up in kallsyms, which lists data only with CONFIG_KALLSYMS_ALL.
        TestKernel.RequireKernelHas(TestKernel.KallsymsData,
            File.ReadLines("/proc/kallsyms").Any(l => l.EndsWith(" bpf_prog_active", StringComparison.Ordinal)),
            "the kernel's kallsyms lists no data symbols (CONFIG_KALLSYMS_ALL is off): it cannot resolve typed ksym variables");
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs.bpf.o"), new BpfObjectOptions { KernelConfig = SomeConfig });
        obj.Programs["read_typed_ksym"].Autoload = true;
        obj.Load();
        obj.Programs["read_typed_ksym"].Program!.TestRun(new BpfTestRunOptions());
        // bpf_prog_active through bpf_this_cpu_ptr: a valid per-CPU pointer, read as the counter + 1.
        Assert.True(V(obj, "prog_active_seen") >= 1);
    }

    [Fact]
    public void Kfuncs_CalledByBtfId_AndAMissingWeakKfuncIsNotCalled()
    {
        TestKernel.RequireRoot();
        if (!BtfSpec.LoadKernel().TryFindId("bpf_iter_num_new", BtfKind.Func, out _))
            Assert.Skip("the kernel has no bpf_iter_num_* kfuncs (open-coded iterators are Linux 6.4)");
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs.bpf.o"), new BpfObjectOptions { KernelConfig = SomeConfig });
        obj.Programs["call_kfuncs"].Autoload = true;
        obj.Load();
        var result = obj.Programs["call_kfuncs"].Program!.TestRun(new BpfTestRunOptions());
        Assert.Equal(45u, result.ReturnValue);
        Assert.Equal((45UL, 0UL), (V(obj, "kfunc_sum"), V(obj, "missing_kfunc_called")));
        Assert.Equal(1UL, V(obj, "kfunc_exists"));
    }

    [Fact]
    public void MissingStrongExterns_FailTheLoadNamingEachOne_AndLeaveNothing()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs_missing.bpf.o"), new BpfObjectOptions { KernelConfig = SomeConfig });
        int fds = Directory.GetFiles("/proc/self/fd").Length;
        var ex = Assert.Throws<BpfException>(obj.Load);
        Assert.Contains("CONFIG_BPFSHARP_NOT_THERE (kconfig)", ex.Message);
        Assert.Contains("bpfsharp_no_such_kfunc (ksym)", ex.Message);
        Assert.Contains("not __weak", ex.Message);
        Assert.False(obj.IsLoaded);
        Assert.Equal(fds, Directory.GetFiles("/proc/self/fd").Length);
    }

    [Fact]
    public void MissingStrongExterns_OfAProgramLeftOut_DoNotFailTheLoad()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("externs_missing.bpf.o"), new BpfObjectOptions { KernelConfig = SomeConfig });
        obj.Programs["use_missing"].Autoload = false;
        obj.Load();
        Assert.True(obj.IsLoaded);
        Assert.Null(obj.Programs["use_missing"].Program);
    }
}
