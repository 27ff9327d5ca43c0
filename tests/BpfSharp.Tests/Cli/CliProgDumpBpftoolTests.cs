using System.Diagnostics;
using BpfSharp.Asm;
using BpfSharp.Cli.Dump;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp prog dump</c> against bpftool 7.1's <c>prog dump xlated</c>, compared byte for byte with nothing
/// normalised: the default text (signatures, source lines, helper names and ids, map ids, subprogram calls),
/// <c>linum</c>, <c>opcodes</c>, the JSON of both and the <c>visual</c> control flow graph. Every program that loads on this host is dumped by both, over
/// the fixtures and examples, and over the compatibility corpora where they have been built (compat/check.sh):
/// Debian's libbpf-tools objects and the kernel 6.1 selftests.
/// </summary>
public sealed class CliProgDumpBpftoolTests(ITestOutputHelper output)
{
    private const string CompatCache = "/var/cache/bpfsharp-compat";

    // What the test compares: bpftool's arguments after "prog dump xlated id N", and ours.
    private static readonly (string[] Bpftool, Func<BpftoolXlatedDump, BpfProgramCode, BpftoolKernelSymbols, string> Ours)[] Variants =
    [
        ([], (d, _, _) => d.Plain(opcodes: false, linum: false)),
        (["linum"], (d, _, _) => d.Plain(opcodes: false, linum: true)),
        (["opcodes"], (d, _, _) => d.Plain(opcodes: true, linum: false)),
        (["-j", "linum"], (d, _, _) => d.Json(opcodes: false, linum: true, pretty: false)),
        (["-j", "opcodes"], (d, _, _) => d.Json(opcodes: true, linum: false, pretty: false)),
        (["visual"], (_, code, symbols) => BpftoolControlFlowGraph.Dot(code, symbols)),
    ];

    [Fact]
    public void FixturesAndExamples_DumpAsBpftoolDoes()
    {
        var objects = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures"), "*.bpf.o")
            .Concat(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Examples"), "*.bpf.o"));
        CompareAll(objects, minimum: 20);
    }

    // The whole corpora cost about 3.5 (libbpf-tools, 164 programs) and 22 minutes (selftests, 484) on the 2-core
    // development machine, mostly bpftool reading kallsyms five times a program: the suite compares every third and
    // every twenty-fifth object (in name order), BPFSHARP_FULL_CORPUS=1 all of them (last full run: 164/164, 484/484).
    [Fact]
    public void LibbpfToolsCorpus_DumpsAsBpftoolDoes() =>
        CompareAll(Sample(Corpus("libbpf-tools-*", "objects"), every: 3), minimum: FullCorpus ? 150 : 30);

    [Fact]
    public void SelftestsCorpus_DumpsAsBpftoolDoes() =>
        CompareAll(Sample(Corpus("linux-source-*", "selftests"), every: 25), minimum: FullCorpus ? 400 : 10);

    private static bool FullCorpus => Environment.GetEnvironmentVariable("BPFSHARP_FULL_CORPUS") == "1";

    private static IEnumerable<string> Sample(IEnumerable<string> objects, int every) =>
        FullCorpus ? objects : objects.Order(StringComparer.Ordinal).Where((_, i) => i % every == 0);

    /// <summary>
    /// A hand-written program with the instructions compilers emit rarely or that kernel 6.1's printer predates
    /// (sign-extending moves and loads, signed division, byte swaps, every atomic, <c>gotol</c>, 32-bit jumps, packet
    /// loads): what the kernel keeps of them is printed as bpftool 7.1 prints it, its misnamings included.
    /// </summary>
    [Fact]
    public void RareInstructions_DumpAsBpftoolDoes()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        TestKernel.RequireTool("unshare");
        static BpfInstruction I(byte code, int dst, int src, short off, int imm) => new(code, (BpfRegister)dst, (BpfRegister)src, off, imm);
        // ISA v4 (sign-extending moves and loads, signed division, bswap, gotol; Linux 6.6) where the kernel takes a
        // sign-extending move: the kernel says, not its version.
        bool isaV4;
        try
        {
            using var probe = BpfProgram.Load(BpfProgramType.SocketFilter,
                [I(0xb7, 1, 0, 0, 0), I(0xbf, 3, 1, 8, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)]);
            isaV4 = true;
        }
        catch (BpfVerifierException)
        {
            isaV4 = false;
        }
        var insns = new List<BpfInstruction>
        {
            I(0xbf, 6, 1, 0, 0),      // r6 = r1
            I(0x30, 0, 0, 0, 0),      // r0 = *(u8 *)skb[0]
            I(0xb7, 7, 0, 0, 0),      // r7 = 0
            I(0x48, 0, 7, 0, 2),      // r0 = *(u16 *)skb[r7 + 2]
            I(0xb7, 1, 0, 0, -5),     // r1 = -5
            I(0xb7, 2, 0, 0, 3),      // r2 = 3
            I(0xdc, 1, 0, 0, 32),     // r1 = be32 r1
            I(0xd4, 1, 0, 0, 16),     // r1 = le16 r1
            I(0x87, 1, 0, 0, 0),      // r1 = -r1
            I(0x7b, 10, 1, -8, 0),    // *(u64 *)(r10 -8) = r1
            I(0x62, 10, 0, -16, 7),   // *(u32 *)(r10 -16) = 7
            I(0xdb, 10, 2, -8, 0x00), // lock *(u64 *)(r10 -8) += r2
            I(0xdb, 10, 2, -8, 0x40), // lock |=
            I(0xdb, 10, 2, -8, 0x50), // lock &=
            I(0xdb, 10, 2, -8, 0xa0), // lock ^=
            I(0xdb, 10, 2, -8, 0x01), // fetch_add
            I(0xdb, 10, 2, -8, 0x51), // fetch_and
            I(0xc3, 10, 2, -16, 0x41), // 32-bit fetch_or
            I(0xc3, 10, 2, -16, 0xa1), // 32-bit fetch_xor
            I(0xdb, 10, 2, -8, 0xe1), // xchg
            I(0xb7, 0, 0, 0, 0),      // r0 = 0
            I(0xdb, 10, 2, -8, 0xf1), // cmpxchg
            I(0xc3, 10, 2, -16, 0xf1), // 32-bit cmpxchg
            I(0x26, 1, 0, 1, 3),      // if w1 > 0x3 goto pc+1
            I(0x2e, 1, 2, 0, 0),      // if w1 > w2 goto pc+0
            I(0xa5, 1, 0, 0, -1),     // if r1 < 0xffffffff goto pc+0
        };
        if (isaV4)
        {
            insns.AddRange(
            [
                I(0xbf, 3, 1, 8, 0),      // r3 = (s8)r1
                I(0xbc, 3, 1, 16, 0),     // w3 = (s16)w1
                I(0x3f, 3, 2, 1, 0),      // r3 s/= r2
                I(0x9c, 3, 2, 1, 0),      // w3 s%= w2
                I(0xd7, 3, 0, 0, 64),     // r3 = bswap64 r3
                I(0x81, 4, 10, -8, 0),    // r4 = *(s32 *)(r10 -8)
                I(0x06, 0, 0, 0, 0),      // gotol +0
            ]);
        }
        insns.Add(I(0xb7, 0, 0, 0, 0));
        insns.Add(I(0x95, 0, 0, 0, 0));
        using var program = BpfProgram.Load(BpfProgramType.SocketFilter, [.. insns]);
        string snapshot = Path.Combine(Path.GetTempPath(), $"bpfsharp-dump-kallsyms-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(snapshot, File.ReadAllBytes("/proc/kallsyms"));
            Assert.Null(Compare(bpftool, snapshot, BpftoolKernelSymbols.Load(snapshot), program));
        }
        finally
        {
            File.Delete(snapshot);
        }
    }

    /// <summary>The CLI itself (argument words as bpftool takes them, -j and -p anywhere) prints what bpftool prints.</summary>
    [Theory]
    [InlineData("Objects/Fixtures/subprogs.bpf.o")]
    [InlineData("Objects/Fixtures/tail_calls.bpf.o")]
    [InlineData("Examples/execsnoop.bpf.o")]
    public void Command_PrintsWhatBpftoolPrints(string objectFile)
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, objectFile));
        obj.Load();
        foreach (var p in obj.Programs.Values.Where(p => p.Program is not null))
        {
            string id = p.Program!.Id.ToString();
            foreach (var words in new[] { new[] { "xlated", "id", id }, ["xlated", "id", id, "linum"], ["x", "id", id, "opcodes"], ["-p", "xlated", "id", id, "linum"] })
            {
                var flags = words.TakeWhile(w => w.StartsWith('-')).ToArray();
                string theirs = TestKernel.Run(bpftool, [.. flags, "prog", "dump", .. words.Skip(flags.Length)]);
                Assert.Equal(theirs, BpfSharpTool.Ok(["prog", "dump", .. words]).Stdout);
            }
            Assert.Equal(TestKernel.Run(bpftool, "prog", "dump", "xlated", "id", id), BpfSharpTool.Ok("prog", "dump", id).Stdout);
            Assert.Equal(TestKernel.Run(bpftool, "prog", "dump", "xlated", "id", id, "linum"), BpfSharpTool.Ok("prog", "dump", id, "--linum").Stdout);
        }
    }

    private static IEnumerable<string> Corpus(string pattern, string folder)
    {
        var dir = Directory.Exists(CompatCache)
            ? Directory.GetDirectories(CompatCache, pattern).Select(d => Path.Combine(d, folder)).FirstOrDefault(Directory.Exists)
            : null;
        if (dir is null) Assert.Skip($"the compatibility corpus is not built ({CompatCache}: compat/check.sh builds it)");
        return Directory.GetFiles(dir, "*.bpf.o");
    }

    // Loads each object whole, or where that fails each program alone, and compares every loaded program's dumps.
    private void CompareAll(IEnumerable<string> objects, int minimum)
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        TestKernel.RequireTool("unshare");
        int programs = 0, matched = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        string snapshot = Path.Combine(Path.GetTempPath(), $"bpfsharp-dump-kallsyms-{Environment.ProcessId}");
        try
        {
            foreach (var path in objects.Order(StringComparer.Ordinal))
            {
                var loaded = Loaded(path);
                try
                {
                    if (loaded.Count == 0) continue;
                    // Both sides read the same copy of kallsyms, taken with the object's programs loaded (reading
                    // /proc/kallsyms costs a tenth of a second, and other programs come and go meanwhile).
                    File.WriteAllBytes(snapshot, File.ReadAllBytes("/proc/kallsyms"));
                    var symbols = BpftoolKernelSymbols.Load(snapshot);
                    foreach (var (name, program) in loaded)
                    {
                        programs++;
                        string? difference = Compare(bpftool, snapshot, symbols, program);
                        if (difference is null) matched++;
                        else failures.Add($"{Path.GetFileName(path)} {name}: {difference}");
                    }
                }
                finally
                {
                    foreach (var (_, p) in loaded) p.Dispose();
                }
            }
        }
        finally
        {
            File.Delete(snapshot);
        }
        output.WriteLine($"{programs} programs compared, {matched} matched in all {Variants.Length} forms ({clock.Elapsed.TotalSeconds:F0} s)");
        Assert.True(failures.Count == 0, $"{failures.Count} of {programs} programs differ:\n{string.Join("\n", failures.Take(10))}");
        Assert.True(programs >= minimum, $"only {programs} programs loaded (expected at least {minimum})");
    }

    // Every program of the object that loads, each held by an fd of its own, the object closed.
    private static List<(string Name, BpfProgram Program)> Loaded(string path)
    {
        var loaded = new List<(string, BpfProgram)>();
        List<string> names = [];
        try
        {
            using var obj = BpfObject.Open(path);
            names = [.. obj.Programs.Keys];
            obj.Load();
            foreach (var p in obj.Programs.Values.Where(p => p.Program is not null))
                loaded.Add((p.Name, BpfProgram.FromId(p.Program!.Id)));
            return loaded;
        }
        catch (Exception e) when (e is not NullReferenceException and not IndexOutOfRangeException) // what does not load is not compared
        {
            foreach (var (_, p) in loaded) p.Dispose();
            loaded.Clear();
        }
        if (names.Count < 2) return loaded;
        foreach (var name in names)
        {
            try
            {
                using var obj = BpfObject.Open(path);
                foreach (var p in obj.Programs.Values) p.Autoload = p.Name == name;
                obj.Load();
                if (obj.Programs[name].Program is { } program) loaded.Add((name, BpfProgram.FromId(program.Id)));
            }
            catch (Exception e) when (e is not NullReferenceException and not IndexOutOfRangeException)
            {
            }
        }
        return loaded;
    }

    // Null when every form is equal; else the first differing line of the first differing form. bpftool runs in a
    // mount namespace of its own where the snapshot is bind-mounted over /proc/kallsyms, all forms in one shell.
    private static string? Compare(string bpftool, string snapshot, BpftoolKernelSymbols symbols, BpfProgram program)
    {
        var code = program.GetCode();
        var dump = new BpftoolXlatedDump(code, symbols);
        string id = program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var script = new System.Text.StringBuilder($"mount --bind '{snapshot}' /proc/kallsyms || exit 1\n");
        foreach (var (args, _) in Variants)
        {
            var flags = string.Join(' ', args.TakeWhile(a => a.StartsWith('-')));
            var words = string.Join(' ', args.SkipWhile(a => a.StartsWith('-')));
            script.Append($"{bpftool} {flags} prog dump xlated id {id} {words}; printf '\\0%d\\0' $?\n");
        }
        // Each form's output, then its exit status.
        var theirs = TestKernel.Run("unshare", "-m", "--propagation", "private", "sh", "-c", script.ToString()).Split('\0');
        for (int i = 0; i < Variants.Length; i++)
        {
            string mine = Variants[i].Ours(dump, code, symbols), their = theirs[2 * i];
            // bpftool 7.1's graph crashes (SIGSEGV) on a block that ends in a subprogram call: what it wrote by
            // then must begin ours, which leaves that edge out.
            if (theirs[2 * i + 1] == "139" && Variants[i].Bpftool is ["visual"] && mine.StartsWith(their, StringComparison.Ordinal)) continue;
            if (their != mine) return FirstDifference(string.Join(' ', Variants[i].Bpftool), their, mine);
        }
        return null;
    }

    private static string FirstDifference(string form, string theirs, string ours)
    {
        var a = theirs.Split('\n');
        var b = ours.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "<end>", y = i < b.Length ? b[i] : "<end>";
            if (x != y) return $"[{form}] line {i + 1}: bpftool '{Trim(x)}' / bpfsharp '{Trim(y)}'";
        }
        return $"[{form}] differ";
    }

    private static string Trim(string s) => s.Length > 300 ? s[..300] + "..." : s;
}
