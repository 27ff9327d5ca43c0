using BpfSharp.Btf;
using BpfSharp.Elf;
using BpfSharp.Loading;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// Static linking against libbpf's linker as the oracle: link_a.bpf.o + link_b.bpf.o (an extern function, a weak
/// function overridden by a strong one, an extern map, .rodata/.bss in both) linked by BpfLinker and by
/// <c>bpftool gen object</c> give the same symbols and BTF, and both load and compute the same results. link_core.bpf.o
/// adds a CO-RE program after theirs in the same section, so its CO-RE relocations must move too.
/// </summary>
public class BpfLinkerTests
{
    private static string Input(string name) => Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "linker", name);

    private static readonly string[] AllThree = ["link_a.bpf.o", "link_b.bpf.o", "link_core.bpf.o"];

    private static (byte[] Mine, byte[] Bpftool) LinkBoth(params string[] names)
    {
        string bpftool = TestKernel.RequireTool("bpftool");
        var paths = names.Select(n => Path.IsPathRooted(n) ? n : Input(n)).ToArray();
        var mine = BpfLinker.Link(paths);
        string output = Path.Combine(Path.GetTempPath(), $"h-linker-{Environment.ProcessId}-{Guid.NewGuid():N}.o");
        try
        {
            TestKernel.Run(bpftool, ["gen", "object", output, .. paths]);
            return (mine, File.ReadAllBytes(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static string[] SymbolsOf(byte[] image)
    {
        var elf = ElfFile.Parse(image);
        return elf.Symbols.Where(s => s.Index > 0 && s.Type != ElfSymbolType.Section)
            .Select(s => $"{s.Name} {s.Type} {s.Binding} {s.Section?.Name ?? (s.IsAbsolute ? "ABS" : "UND")} 0x{s.Value:x} {s.Size}")
            .Order(StringComparer.Ordinal).ToArray();
    }

    private static string[] Relocations(byte[] image) => ElfFile.Parse(image).RelocationTables
        .Where(t => t.Target is { } target && !target.Name.StartsWith(".BTF", StringComparison.Ordinal))
        .SelectMany(t => t.Entries.Select(r => $"{t.Target!.Name}+0x{r.Offset:x} type {r.Type} -> {(r.Symbol is { Type: ElfSymbolType.Section } s ? s.Section!.Name : r.Symbol?.Name)}"))
        .Order(StringComparer.Ordinal).ToArray();

    private static BtfSpec BtfOf(byte[] image) => BtfSpec.Parse(ElfFile.Parse(image).FindSection(".BTF")!.Data.Span);

    private static string[] NamedTypes(BtfSpec spec) =>
        spec.Types.Where(t => t.Name.Length > 0).Select(t => $"{t.Kind.ToKernelName()} {t.Name}").Distinct().Order(StringComparer.Ordinal).ToArray();

    private static string[] DataSecs(BtfSpec spec) =>
        spec.Types.OfType<BtfDataSec>().SelectMany(d => d.Variables.Select(v => $"{d.Name} size {d.Size}: {spec[v.TypeId].Name}@{v.Offset}+{v.Size}"))
            .Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Link_GivesBpftoolsSymbolsAndBtf()
    {
        var (mine, theirs) = LinkBoth(AllThree);

        Assert.Equal(SymbolsOf(theirs), SymbolsOf(mine));
        // The weak pick() of link_a is gone from the symbols: only link_b's remains.
        Assert.Single(SymbolsOf(mine), s => s.StartsWith("pick ", StringComparison.Ordinal));
        var myBtf = BtfOf(mine);
        var theirBtf = BtfOf(theirs);
        Assert.Equal(NamedTypes(theirBtf), NamedTypes(myBtf));
        Assert.Equal(DataSecs(theirBtf), DataSecs(myBtf));
        // Resolved externs leave no extern FUNC or VAR behind.
        Assert.DoesNotContain(myBtf.Types, t => t is BtfFunc { Linkage: BtfLinkage.Extern } or BtfVar { Linkage: BtfLinkage.Extern });
    }

    [Fact]
    public void Link_TheBtfExtMovesWithTheCode()
    {
        var (mine, theirs) = LinkBoth(AllThree);
        AssertSameExt(mine, theirs);
        Assert.Contains("task_struct___link", ExtText(mine).Core);
    }

    /// <summary>func info, line info and CO-RE relocations, named rather than numbered (type names, strings).</summary>
    private static (string Func, string Line, string Core) ExtText(byte[] image)
    {
        var spec = BtfOf(image);
        if (ElfFile.Parse(image).FindSection(".BTF.ext") is not { } section) return ("", "", "");
        var ext = BtfExt.Parse(section.Data.Span, spec);
        string Join<T>(IReadOnlyDictionary<string, IReadOnlyList<T>> d, Func<T, string> f) =>
            string.Join("; ", d.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value.Select(r => kv.Key + "+" + f(r))));
        return (Join(ext.FuncInfo, f => $"{f.InstructionOffset} {spec[f.TypeId].Name}"),
            Join(ext.LineInfo, l => $"{l.InstructionOffset} {spec.GetString(l.FileNameOffset)}:{l.Line}:{l.Column} {spec.GetString(l.LineOffset)}"),
            Join(ext.CoreRelocations, c => $"{c.InstructionOffset} {spec[c.TypeId].Name} {spec.GetString(c.AccessStringOffset)} kind {c.Kind}"));
    }

    private static void AssertSameExt(byte[] mine, byte[] theirs)
    {
        var (myFunc, myLine, myCore) = ExtText(mine);
        var (theirFunc, theirLine, theirCore) = ExtText(theirs);
        Assert.Equal(theirFunc, myFunc);
        Assert.Equal(theirLine, myLine);
        Assert.Equal(theirCore, myCore);
    }

    [Fact]
    public void Link_RelocationsAreBpftools()
    {
        var (mine, theirs) = LinkBoth(AllThree);
        var mineRelocations = Relocations(mine);
        Assert.NotEmpty(mineRelocations);
        Assert.Equal(Relocations(theirs), mineRelocations);
        // The instructions themselves (immediates adjusted for moved sections) are libbpf's too.
        static string Code(byte[] image) => string.Join("|", ElfFile.Parse(image).Sections
            .Where(s => s.Flags.HasFlag(ElfSectionFlags.ExecInstr)).OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => s.Name + ":" + Convert.ToHexString(s.Data.Span)));
        Assert.Equal(Code(theirs), Code(mine));
    }

    [Fact]
    public void Link_BothLinkedObjectsLoadAndRunTheSame()
    {
        TestKernel.RequireRoot();
        var (mine, theirs) = LinkBoth(AllThree);
        var results = new List<string>();
        foreach (var image in new[] { mine, theirs })
        {
            using var obj = BpfObject.Open(image, "linked.o"); // one name: map names derive from it
            obj.Load();
            var packet = new byte[64];
            // xdp_a: add_a(twice(pick())) + a_bias - 115 = 2 only when link_b's strong pick() (7) won; xdp_b: 3.
            Assert.Equal(2u, obj.Programs["xdp_a"].Program!.TestRun(packet));
            Assert.Equal(3u, obj.Programs["xdp_b"].Program!.TestRun(packet));
            obj.Programs["count_a"].Program!.TestRun(new BpfTestRunOptions());
            obj.Programs["count_b"].Program!.TestRun(new BpfTestRunOptions());
            obj.Programs["count_b"].Program!.TestRun(new BpfTestRunOptions());
            var counts = obj.Maps["counts"].Map!;
            Assert.Equal(1ul, counts.Lookup<uint, ulong>(0u));
            Assert.Equal(2ul, counts.Lookup<uint, ulong>(1u));
            // The CO-RE reads find this thread (a raw_tp test run executes in the calling task), the call finds link_b.
            obj.Programs["core_ids"].Program!.TestRun(new BpfTestRunOptions());
            Assert.Equal((ulong)Environment.ProcessId, obj.Variables["core_tgid"].Get<ulong>());
            Assert.NotEqual(0ul, obj.Variables["core_pid"].Get<ulong>());
            Assert.Equal(42ul, obj.Variables["core_twice"].Get<ulong>());
            results.Add(string.Join(",", obj.Programs.Keys.Order()) + " | " + string.Join(",", obj.Maps.Keys.Order()));
        }
        Assert.Equal(results[1], results[0]);
    }

    public static TheoryData<string> Fixtures() =>
        new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures"), "*.bpf.o").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    /// <summary>Every loader fixture linked on its own: the same symbols, relocations, code and BTF as libbpf's linker writes.</summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Link_OneFixture_IsWhatBpftoolWrites(string fixture)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", fixture);
        var (mine, theirs) = LinkBoth(path);
        Assert.Equal(SymbolsOf(theirs), SymbolsOf(mine));
        Assert.Equal(Relocations(theirs), Relocations(mine));
        var myBtf = BtfOf(mine);
        var theirBtf = BtfOf(theirs);
        Assert.Equal(Enumerable.Range(1, theirBtf.Count - 1).Select(id => $"{theirBtf[id].Kind.ToKernelName()} {theirBtf[id].Name}"),
            Enumerable.Range(1, myBtf.Count - 1).Select(id => $"{myBtf[id].Kind.ToKernelName()} {myBtf[id].Name}"));
        Assert.Equal(DataSecs(theirBtf), DataSecs(myBtf));
        AssertSameExt(mine, theirs);
        static string Code(byte[] image) => string.Join("|", ElfFile.Parse(image).Sections
            .Where(s => s.Type is ElfSectionType.ProgBits && !s.Name.StartsWith(".BTF", StringComparison.Ordinal))
            .OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Name + ":" + Convert.ToHexString(s.Data.Span)));
        Assert.Equal(Code(theirs), Code(mine));
    }

    [Fact]
    public void Link_TwoStrongDefinitions_NamesBothFiles()
    {
        var e = Assert.Throws<BpfException>(() => BpfLinker.Link(new[] { "link_a.bpf.o", "link_b.bpf.o", "link_dup.bpf.o" }.Select(Input)));
        Assert.Contains("'twice'", e.Message);
        Assert.Contains("link_b.bpf.o", e.Message);
        Assert.Contains("link_dup.bpf.o", e.Message);
    }

    [Fact]
    public void Link_AMapDeclaredDifferently_NamesBothFilesAndTheField()
    {
        var e = Assert.Throws<BpfException>(() => BpfLinker.Link(new[] { "link_a.bpf.o", "link_badmap.bpf.o" }.Select(Input)));
        Assert.Contains("'counts'", e.Message);
        Assert.Contains("max_entries is 4 there and 8 here", e.Message);
        Assert.Contains("link_a.bpf.o", e.Message);
        Assert.Contains("link_badmap.bpf.o", e.Message);
    }

    [Fact]
    public void Link_AFunctionDeclaredWithAnotherSignature_NamesBothFilesAndBothTypes()
    {
        // libbpf refuses it too: "incompatible number of func_proto params 1 and 2".
        var e = Assert.Throws<BpfException>(() => BpfLinker.Link(new[] { "link_a.bpf.o", "link_badsig.bpf.o" }.Select(Input)));
        Assert.Contains("'twice' has different types in link_a.bpf.o and link_badsig.bpf.o", e.Message);
        Assert.Contains("INT 'int' of 4 bytes (INT 'int' of 4 bytes) there", e.Message);
        Assert.Contains("INT 'long' of 8 bytes (INT 'long' of 8 bytes, INT 'long' of 8 bytes) here", e.Message);
    }

    [Fact]
    public void Link_BadInput_IsABpfException()
    {
        Assert.Throws<BpfException>(() => new BpfLinker().Link());
        Assert.Throws<BpfException>(() => new BpfLinker().Add(new byte[] { 1, 2, 3, 4 }, "junk.o"));
        Assert.Throws<BpfException>(() => new BpfLinker().Add("/nonexistent/h-linker.o"));
        var truncated = File.ReadAllBytes(Input("link_a.bpf.o"))[..200];
        Assert.Throws<BpfException>(() => new BpfLinker().Add(truncated, "truncated.o").Link());
    }
}
