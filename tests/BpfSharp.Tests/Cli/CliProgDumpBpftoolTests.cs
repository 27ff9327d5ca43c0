using System.Diagnostics;
using BpfSharp.Cli.Dump;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp prog dump</c> against bpftool 7.1's <c>prog dump xlated</c>, compared byte for byte with nothing
/// normalised: the default text (signatures, source lines, helper names and ids, map ids, subprogram calls),
/// <c>linum</c>, <c>opcodes</c> and the JSON of both. Every program that loads on this host is dumped by both, over
/// the fixtures and examples, and over the compatibility corpora where they have been built (compat/check.sh):
/// Debian's libbpf-tools objects and the kernel 6.1 selftests.
/// </summary>
public sealed class CliProgDumpBpftoolTests(ITestOutputHelper output)
{
    private const string CompatCache = "/var/cache/bpfsharp-compat";

    // What the test compares: bpftool's arguments after "prog dump xlated id N", and ours.
    private static readonly (string[] Bpftool, Func<BpftoolXlatedDump, string> Ours)[] Variants =
    [
        ([], d => d.Plain(opcodes: false, linum: false)),
        (["linum"], d => d.Plain(opcodes: false, linum: true)),
        (["opcodes"], d => d.Plain(opcodes: true, linum: false)),
        (["-j", "linum"], d => d.Json(opcodes: false, linum: true, pretty: false)),
        (["-j", "opcodes"], d => d.Json(opcodes: true, linum: false, pretty: false)),
    ];

    [Fact]
    public void FixturesAndExamples_DumpAsBpftoolDoes()
    {
        var objects = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures"), "*.bpf.o")
            .Concat(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Examples"), "*.bpf.o"));
        CompareAll(objects, minimum: 20);
    }

    [Fact]
    public void LibbpfToolsCorpus_DumpsAsBpftoolDoes() => CompareAll(Corpus("libbpf-tools-*", "objects"), minimum: 50);

    [Fact]
    public void SelftestsCorpus_DumpsAsBpftoolDoes() => CompareAll(Corpus("linux-source-*", "selftests"), minimum: 500);

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
        var dump = new BpftoolXlatedDump(program.GetCode(), symbols);
        string id = program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var script = new System.Text.StringBuilder($"mount --bind '{snapshot}' /proc/kallsyms || exit 1\n");
        foreach (var (args, _) in Variants)
        {
            var flags = string.Join(' ', args.TakeWhile(a => a.StartsWith('-')));
            var words = string.Join(' ', args.SkipWhile(a => a.StartsWith('-')));
            script.Append($"{bpftool} {flags} prog dump xlated id {id} {words}; printf '\\0'\n");
        }
        var theirs = TestKernel.Run("unshare", "-m", "--propagation", "private", "sh", "-c", script.ToString()).Split('\0');
        for (int i = 0; i < Variants.Length; i++)
        {
            string mine = Variants[i].Ours(dump);
            if (theirs[i] != mine) return FirstDifference(string.Join(' ', Variants[i].Bpftool), theirs[i], mine);
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
