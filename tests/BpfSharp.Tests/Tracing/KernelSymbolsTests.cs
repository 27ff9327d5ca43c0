using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

public class KernelSymbolsTests
{
    // A few lines in the kernel's format, with a module, a pseudo-module and a name defined twice.
    private const string Sample =
        "ffffffff81000000 T _stext\n" +
        "ffffffff814d9320 t bpf_prog_load\n" +
        "ffffffff814de370 T __x64_sys_bpf\n" +
        "ffffffff81600000 t dup_name\n" +
        "ffffffff81700000 d some_data\n" +
        "ffffffffc0100000 t dup_name\t[kvm]\n" +
        "ffffffffc0100010 T kvm_init\t[kvm]\n" +
        "ffffffffc0200000 t nf_hook\t[nf_tables]\n" +
        "ffffffffc0300000 t bpf_prog_6deef7357e7b4530_sd_fw\t[bpf]\n";

    private static KernelSymbols ParseSample() => KernelSymbols.Parse(Encoding.ASCII.GetBytes(Sample));

    [Fact]
    public void ParsesNamesAddressesTypesAndModules()
    {
        KernelSymbols symbols = ParseSample();
        Assert.Equal(9, symbols.Count);
        Assert.True(symbols.HasAddresses);
        Assert.Equal(new KernelSymbol("bpf_prog_load", 0xffffffff814d9320, 't', null), symbols[1]);
        Assert.Equal(new KernelSymbol("kvm_init", 0xffffffffc0100010, 'T', "kvm"), symbols[6]);
        Assert.Equal(["kvm", "nf_tables", "bpf"], symbols.Modules);
        Assert.Equal(Sample, string.Concat(symbols.Select(s => s + "\n")));
    }

    [Fact]
    public void LookupsPreferVmlinuxAndCanAskForAModule()
    {
        KernelSymbols symbols = ParseSample();
        Assert.True(symbols.Exists("kvm_init"));
        Assert.False(symbols.Exists("kvm_ini"));
        Assert.True(symbols.TryFind("dup_name", out KernelSymbol dup));
        Assert.Equal((0xffffffff81600000UL, (string?)null), (dup.Address, dup.Module));
        Assert.True(symbols.TryFind("dup_name", "kvm", out KernelSymbol inKvm));
        Assert.Equal(0xffffffffc0100000UL, inKvm.Address);
        Assert.False(symbols.TryFind("dup_name", "nf_tables", out _));
        Assert.Equal(2, symbols.FindAll("dup_name").Count);
        Assert.Equal(0xffffffffc0200000UL, symbols.GetAddress("nf_hook"));
        var e = Assert.Throws<BpfException>(() => symbols.GetAddress("no_such_symbol"));
        Assert.Contains("no_such_symbol", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddressLookups_FindTheSymbolStartingThere_VmlinuxFirst()
    {
        // Out of address order, as kallsyms is across modules, with one address named twice.
        KernelSymbols symbols = KernelSymbols.Parse(Encoding.ASCII.GetBytes(
            "ffffffffc0100000 t mod_fn\t[kvm]\n" +
            "ffffffff81000000 T _stext\n" +
            "ffffffff814d9320 t bpf_prog_load\n" +
            "ffffffff814d9320 t bpf_prog_load_alias\n" +
            "ffffffff81600000 t later\n"));
        Assert.True(symbols.TryFindByAddress(0xffffffff814d9320, out var load));
        Assert.Equal("bpf_prog_load", load.Name); // the first listed of the two at that address
        Assert.True(symbols.TryFindByAddress(0xffffffffc0100000, out var inModule));
        Assert.Equal(("mod_fn", "kvm"), (inModule.Name, inModule.Module));
        Assert.True(symbols.TryFindByAddress(0xffffffff81000000, out var first));
        Assert.Equal("_stext", first.Name);
        Assert.False(symbols.TryFindByAddress(0xffffffff814d9321, out _)); // inside a function, not at its start
        Assert.False(symbols.TryFindByAddress(0xffffffffc0100001, out _)); // past the highest
        Assert.False(symbols.TryFindByAddress(0x1000, out _));             // below the lowest
        // Hidden addresses (all zero) name nothing.
        Assert.False(KernelSymbols.Parse(Encoding.ASCII.GetBytes("0000000000000000 T _stext\n")).TryFindByAddress(0, out _));
    }

    [Fact]
    public void ContainingLookups_NameTheFunctionAnAddressLiesIn()
    {
        KernelSymbols symbols = ParseSample();
        Assert.True(symbols.TryFindContaining(0xffffffff814de380, out var s, out ulong offset));
        Assert.Equal(("__x64_sys_bpf", 0x10UL), (s.Name, offset));
        Assert.True(symbols.TryFindContaining(0xffffffff814d9320, out s, out offset));
        Assert.Equal(("bpf_prog_load", 0UL), (s.Name, offset));
        // A data symbol is not a function: past it, the address is still in the function before it.
        Assert.True(symbols.TryFindContaining(0xffffffff81700010, out s, out offset));
        Assert.Equal(("dup_name", null, 0x100010UL), (s.Name, s.Module, offset));
        Assert.True(symbols.TryFindContaining(0xffffffffc0100004, out s, out offset));
        Assert.Equal(("dup_name", "kvm", 4UL), (s.Name, s.Module, offset));
        Assert.True(symbols.TryFindContaining(0xffffffffc0300042, out s, out _));
        Assert.Equal("bpf", s.Module);
        Assert.False(symbols.TryFindContaining(0xffffffff80000000, out _, out _));
        // Hidden addresses (all 0) name nothing.
        Assert.False(KernelSymbols.Parse("0000000000000000 T _stext\n"u8.ToArray()).TryFindContaining(0x10, out _, out _));
    }

    [Fact]
    public void GlobsMatchFunctionsUnlessAskedForEverything()
    {
        KernelSymbols symbols = ParseSample();
        Assert.Equal(["bpf_prog_load", "bpf_prog_6deef7357e7b4530_sd_fw"], symbols.Match("bpf_prog_*").Select(s => s.Name));
        Assert.Equal(["dup_name", "dup_name"], symbols.Match("dup_nam?").Select(s => s.Name));
        Assert.Empty(symbols.Match("some_*"));
        Assert.Single(symbols.Match("some_*", functionsOnly: false));
        Assert.Equal(9, symbols.Match("*", functionsOnly: false).Count);
        Assert.Single(symbols.Match("kvm_init"));
    }

    [Fact]
    public void SyscallNamesFollowTheWrapperTheKernelHas()
    {
        KernelSymbols withWrappers = ParseSample();
        KernelSymbols without = KernelSymbols.Parse("0000000000000000 T __se_sys_openat\n0000000000000000 T sys_bpf\n"u8.ToArray());
        Assert.False(without.HasAddresses);
        Assert.Null(without.SyscallWrapperPrefix);
        Assert.Equal("__se_sys_openat", without.SyscallFunctionName("openat"));
        Assert.Equal("sys_close", without.SyscallFunctionName("close"));
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.Equal("__x64_sys_", withWrappers.SyscallWrapperPrefix);
            Assert.Equal("__x64_sys_openat", withWrappers.SyscallFunctionName("openat"));
        }
    }

    [Theory]
    [InlineData("ffffffff81000000 T\n")]
    [InlineData("zz T name\n")]
    [InlineData("ffffffff81000000 T name\tkvm\n")]
    public void MalformedLinesAreReported(string text) =>
        Assert.Throws<BpfFormatException>(() => KernelSymbols.Parse(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void TheRunningKernelsTableAgreesWithProcKallsyms()
    {
        TestKernel.RequireRoot();
        // The witness: /proc/kallsyms read and split the plain way.
        var witness = new Dictionary<string, List<(ulong Address, char Type, string? Module)>>(StringComparer.Ordinal);
        int lines = 0;
        foreach (string line in File.ReadLines(KernelSymbols.KallsymsPath))
        {
            lines++;
            string[] parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string? module = parts.Length > 3 ? parts[3].Trim('[', ']') : null;
            witness.TryAdd(parts[2], []);
            witness[parts[2]].Add((ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), parts[1][0], module));
        }

        KernelSymbols symbols = KernelSymbols.Current;
        Assert.Same(symbols, KernelSymbols.Current);
        // Modules may load between the two reads; vmlinux's part of the table does not change.
        Assert.InRange(symbols.Count, lines - 1000, lines + 1000);
        Assert.True(symbols.HasAddresses);
        foreach (string name in new[] { "bpf_prog_load", KernelSymbols.ArchSyscallPrefix + "bpf", "_stext", "schedule", "do_sys_openat2" })
        {
            Assert.SkipUnless(witness.ContainsKey(name), $"this kernel has no {name}");
            var expected = witness[name].OrderBy(w => w.Module is not null).First();
            Assert.True(symbols.TryFind(name, out KernelSymbol found), name);
            Assert.Equal(expected, (found.Address, found.Type, found.Module));
            Assert.Equal(witness[name].Count, symbols.FindAll(name).Count);
        }
        // Every tenth symbol, module ones included, is found with an address kallsyms gives that name.
        for (int i = 0; i < symbols.Count; i += 10)
        {
            KernelSymbol s = symbols[i];
            if (witness.TryGetValue(s.Name, out var entries))
                Assert.Contains((s.Address, s.Type, s.Module), entries);
        }
        Assert.Equal(witness.Keys.Count(k => k.StartsWith("bpf_map_", StringComparison.Ordinal) && witness[k].Any(e => e.Type is 'T' or 't')),
            symbols.Match("bpf_map_*").Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void SyscallWrapperPrefixIsDetectedFromKallsyms()
    {
        TestKernel.RequireRoot();
        string? prefix = KernelSymbols.ArchSyscallPrefix;
        Assert.SkipWhen(prefix is null, "this architecture has no syscall wrappers");
        bool wrapped = File.ReadLines(KernelSymbols.KallsymsPath).Any(l => l.EndsWith(" " + prefix + "bpf", StringComparison.Ordinal));
        Assert.Equal(wrapped ? prefix : null, KernelSymbols.Current.SyscallWrapperPrefix);
        if (wrapped)
            Assert.Equal(prefix + "openat", KernelSymbols.Current.SyscallFunctionName("openat"));
    }

    [Fact]
    public void TraceableFunctionsComeFromFtraceWhenItListsThem()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireTraceFs();
        string file = Path.Combine(TraceFs.MountPoint, "available_filter_functions");
        bool readable;
        try
        {
            using var stream = File.OpenRead(file);
            readable = stream.ReadByte() >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            readable = false;
        }
        Assert.Equal(readable, KernelSymbols.AvailableFilterFunctions is not null);

        IReadOnlyList<string> matched = KernelSymbols.Current.MatchTraceableFunctions("bpf_map_*");
        Assert.NotEmpty(matched);
        Assert.Equal(matched.Order(StringComparer.Ordinal).Distinct(), matched);
        Assert.All(matched, n => Assert.StartsWith("bpf_map_", n, StringComparison.Ordinal));
        if (KernelSymbols.AvailableFilterFunctions is { } available)
            Assert.All(matched, n => Assert.Contains(n, available));
        else
            Assert.All(matched, n => Assert.True(KernelSymbols.Current.Exists(n)));
    }
}
