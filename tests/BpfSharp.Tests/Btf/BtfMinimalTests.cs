using BpfSharp.Btf;
using BpfSharp.Tests.Cli;
using BpfSharp.Tests.Objects;
using BpfSharp.Tests.Support;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Minimal BTF for CO-RE (<see cref="BtfSpec.MinimalFor"/>, <c>bpfsharp btf min-core</c>): every relocation of every
/// fixture and of the compatibility corpus's objects resolves against it as against the kernel's full BTF, and as
/// against what <c>bpftool gen min_core_btf</c> writes; an object loaded with it runs as with the full BTF.
/// </summary>
public sealed class BtfMinimalTests
{
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";
    private const string CompatCache = "/var/cache/bpfsharp-compat";

    private static BtfSpec Kernel()
    {
        if (!File.Exists(VmlinuxPath)) Assert.Skip($"{VmlinuxPath} is missing (kernel without CONFIG_DEBUG_INFO_BTF)");
        return BtfSpec.LoadKernel();
    }

    /// <summary>Every object here with CO-RE relocations: the fixtures, and the corpus where it has been built.</summary>
    private static IEnumerable<string> ObjectsWithCoreRelocations()
    {
        var dirs = new List<string> { Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures") };
        if (Directory.Exists(CompatCache))
            dirs.AddRange(Directory.GetDirectories(CompatCache).SelectMany(d => new[] { Path.Combine(d, "objects"), Path.Combine(d, "selftests") }).Where(Directory.Exists));
        foreach (var dir in dirs)
            foreach (var path in Directory.GetFiles(dir, "*.bpf.o").Order(StringComparer.Ordinal))
                yield return path;
    }

    /// <summary>Each relocation's answer; a type id is the BTF's own numbering, so only whether it found one counts.</summary>
    private static List<string> Resolve(BpfObject obj, BtfSpec target)
    {
        var relocator = new CoreRelocator(obj.Btf!, [target]);
        var answers = new List<string>();
        foreach (var (section, relocations) in obj.BtfExt!.CoreRelocations.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var r in relocations)
            {
                var result = relocator.Relocate(r);
                ulong value = (CoreRelocationKind)r.Kind == CoreRelocationKind.TypeIdTarget ? (result.TargetValue != 0 ? 1UL : 0) : result.TargetValue;
                answers.Add($"{section}+{r.InstructionOffset} {result.Description}: {value} poison={result.Poison} size={result.TargetFieldSize}");
            }
        }
        return answers;
    }

    private static BpfObject? OpenWithRelocations(string path, BtfSpec kernel)
    {
        BpfObject? obj = null;
        try
        {
            obj = BpfObject.Open(path);
            if (obj.Btf is null || obj.BtfExt is not { CoreRelocations.Count: > 0 }) { obj.Dispose(); return null; }
            Resolve(obj, kernel); // objects made to fail (ambiguous candidates, bad access strings) are left out
            return obj;
        }
        catch (BpfException)
        {
            obj?.Dispose();
            return null;
        }
    }

    [Fact]
    public void EveryRelocationResolvesAsWithTheFullBtf()
    {
        var kernel = Kernel();
        int objects = 0, relocations = 0;
        long minimalTypes = 0;
        foreach (var path in ObjectsWithCoreRelocations())
        {
            using var obj = OpenWithRelocations(path, kernel);
            if (obj is null) continue;
            var minimal = BtfSpec.MinimalFor([obj], kernel);
            var expected = Resolve(obj, kernel);
            Assert.Equal(expected, Resolve(obj, minimal));
            Assert.True(minimal.Count < kernel.Count / 20, $"{Path.GetFileName(path)}: {minimal.Count} types kept");
            // What it writes reads back the same.
            Assert.Equal(expected, Resolve(obj, BtfSpec.Parse(BtfBuilder.From(minimal).Build())));
            objects++;
            relocations += expected.Count;
            minimalTypes += minimal.Count - 1;
        }
        Assert.True(objects >= 4, $"only {objects} objects with CO-RE relocations");
        TestContext.Current.SendDiagnosticMessage($"{objects} objects, {relocations} relocations, {minimalTypes / objects} types kept on average of {kernel.Count - 1}");
    }

    [Fact]
    public void SeveralObjectsShareOneMinimalBtf()
    {
        var kernel = Kernel();
        var objects = new[] { "core_reloc.bpf.o", "core_anon.bpf.o", "core_anon_skb.bpf.o", "core_missing.bpf.o" }
            .Select(f => BpfObject.Open(ObjectLoadTests.Fixture(f))).ToList();
        try
        {
            var minimal = BtfSpec.MinimalFor(objects, kernel);
            foreach (var obj in objects) Assert.Equal(Resolve(obj, kernel), Resolve(obj, minimal));
            // Without the objects' relocations, nothing of the kernel is needed.
            Assert.Equal(1, BtfSpec.MinimalFor([], kernel).Count);
        }
        finally
        {
            foreach (var o in objects) o.Dispose();
        }
    }

    [Fact]
    public void BpftoolsMinimalBtfGivesTheSameAnswers()
    {
        var kernel = Kernel();
        var bpftool = TestKernel.RequireTool("bpftool");
        string dir = Directory.CreateTempSubdirectory("bpfsharp-btfw-min-").FullName;
        try
        {
            int compared = 0;
            long theirTypes = 0, ourTypes = 0;
            foreach (var path in ObjectsWithCoreRelocations())
            {
                using var obj = OpenWithRelocations(path, kernel);
                if (obj is null) continue;
                string theirs = Path.Combine(dir, "bpftool.btf");
                var psi = new System.Diagnostics.ProcessStartInfo(bpftool) { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { "gen", "min_core_btf", VmlinuxPath, theirs, path }) psi.ArgumentList.Add(a);
                using (var p = System.Diagnostics.Process.Start(psi)!)
                {
                    p.StandardOutput.ReadToEnd();
                    p.StandardError.ReadToEnd();
                    p.WaitForExit();
                    if (p.ExitCode != 0) continue; // bpftool 7.1 does not know every relocation kind (type matches)
                }
                var bpftoolMinimal = BtfSpec.Load(theirs);
                var ours = BtfSpec.MinimalFor([obj], kernel);
                Assert.Equal(Resolve(obj, bpftoolMinimal), Resolve(obj, ours));
                compared++;
                theirTypes += bpftoolMinimal.Count - 1;
                ourTypes += ours.Count - 1;
            }
            Assert.True(compared >= 3, $"bpftool made minimal BTF for only {compared} objects");
            TestContext.Current.SendDiagnosticMessage($"{compared} objects: bpftool kept {theirTypes} types, BpfSharp {ourTypes}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ObjectLoadedWithMinimalBtfRunsAsWithTheFullBtf()
    {
        TestKernel.RequireRoot();
        var kernel = Kernel();
        using var opened = BpfObject.Open(ObjectLoadTests.Fixture("core_reloc.bpf.o"));
        var minimal = BtfSpec.MinimalFor([opened], kernel);
        Assert.Equal(RunAll(null), RunAll(minimal));

        static List<string> RunAll(BtfSpec? kernelBtf)
        {
            using var obj = BpfObject.Open(ObjectLoadTests.Fixture("core_reloc.bpf.o"), new BpfObjectOptions { KernelBtf = kernelBtf });
            obj.Load();
            foreach (var name in obj.Programs.Keys.Order()) obj.Programs[name].Program!.TestRun(new BpfTestRunOptions());
            return obj.Variables.Values.OrderBy(v => v.Name, StringComparer.Ordinal)
                .Select(v => $"{v.Name}={Read(v)}").ToList();
        }

        static ulong Read(BpfObjectVariable v)
        {
            var value = new byte[v.Map.ValueSize];
            v.Map.Map!.Lookup(new byte[4], value);
            return BitConverter.ToUInt64(value, v.Offset);
        }
    }

    /// <summary>
    /// libbpf-tools (the compatibility corpus, where it has been built): each object loads with its minimal BTF as
    /// <see cref="BpfObjectOptions.KernelBtf"/> exactly as with the kernel's, the same programs refused for the same
    /// reasons (fentry refused by this host, a CO-RE relocation the kernel cannot satisfy, named the same way).
    /// </summary>
    [Fact]
    public void CorpusToolsLoadWithTheirMinimalBtfAsWithTheFullBtf()
    {
        TestKernel.RequireRoot();
        var kernel = Kernel();
        var tools = Directory.Exists(CompatCache) ? Directory.GetDirectories(CompatCache, "libbpf-tools-*").Select(d => Path.Combine(d, "objects")).FirstOrDefault(Directory.Exists) : null;
        if (tools is null) Assert.Skip($"the compatibility corpus is not built ({CompatCache}: compat/check.sh builds it)");
        int loaded = 0, compared = 0;
        foreach (var path in Directory.GetFiles(tools, "*.bpf.o").Order(StringComparer.Ordinal))
        {
            BtfSpec minimal;
            using (var obj = BpfObject.Open(path)) minimal = BtfSpec.MinimalFor([obj], kernel);
            string full = Outcome(path, null);
            Assert.Equal($"{Path.GetFileName(path)}: {full}", $"{Path.GetFileName(path)}: {Outcome(path, minimal)}");
            compared++;
            if (full == "loaded") loaded++;
        }
        Assert.True(loaded >= 20, $"only {loaded} of {compared} tools load on this kernel");

        static string Outcome(string path, BtfSpec? kernelBtf)
        {
            try
            {
                using var obj = BpfObject.Open(path, new BpfObjectOptions { KernelBtf = kernelBtf });
                obj.Load();
                return "loaded";
            }
            catch (BpfException e)
            {
                return e.Message.Split('\n')[0];
            }
        }
    }

    /// <summary>
    /// Runs the test child in a mount namespace of its own with an empty tmpfs over <c>/sys/kernel/btf</c> (a kernel
    /// without BTF, as far as it can tell); returns what it printed, after checking it exited 0.
    /// </summary>
    private static async Task<string> HiddenBtfChild(string unshare, string target)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(unshare) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--mount", "--propagation", "private", "--", "sh", "-c", "mount -t tmpfs bpfsharp-btfw-hidden /sys/kernel/btf && exec \"$@\"", "sh",
            "dotnet", Path.Combine(AppContext.BaseDirectory, "BpfSharp.TestChild.dll"), "hidden_btf", "-", "0", "normal", target })
            psi.ArgumentList.Add(a);
        using var child = System.Diagnostics.Process.Start(psi)!;
        var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(child.WaitForExit(600_000), "the child did not finish");
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>
    /// The corpus without the kernel's BTF: each libbpf-tools object, loaded in a process that cannot see
    /// <c>/sys/kernel/btf</c> with the minimal BTF made for it, loads or is refused exactly as it is here with the
    /// kernel's BTF (the same first line of the error).
    /// </summary>
    [Fact]
    public async Task CorpusToolsLoadWithoutKernelBtf_FromTheirMinimalFiles()
    {
        TestKernel.RequireRoot();
        var kernel = Kernel();
        string unshare = TestKernel.RequireTool("unshare");
        var tools = Directory.Exists(CompatCache) ? Directory.GetDirectories(CompatCache, "libbpf-tools-*").Select(d => Path.Combine(d, "objects")).FirstOrDefault(Directory.Exists) : null;
        if (tools is null) Assert.Skip($"the compatibility corpus is not built ({CompatCache}: compat/check.sh builds it)");
        string dir = Directory.CreateTempSubdirectory("bpfsharp-btfw-hidden-corpus-").FullName;
        try
        {
            var expected = new List<string>();
            var list = new List<string>();
            var needsKernelIds = new HashSet<string>();
            foreach (var path in Directory.GetFiles(tools, "*.bpf.o").Order(StringComparer.Ordinal))
            {
                string btf = Path.Combine(dir, Path.GetFileNameWithoutExtension(path) + ".btf");
                using (var obj = BpfObject.Open(path))
                {
                    File.WriteAllBytes(btf, BtfSpec.MinimalFor([obj], kernel).Data);
                    // tp_btf, fentry, lsm, iter and struct_ops programs attach by the running kernel's own type ids.
                    if (obj.Programs.Values.Any(p => p.Autoload && p.Type is BpfProgramType.Tracing or BpfProgramType.Lsm or BpfProgramType.StructOps))
                        needsKernelIds.Add(Path.GetFileName(path));
                }
                list.Add($"{path}|{btf}");
                expected.Add($"{Path.GetFileName(path)}\t{FullOutcome(path)}");
            }
            string listFile = Path.Combine(dir, "list");
            File.WriteAllLines(listFile, list);
            var got = (await HiddenBtfChild(unshare, "@" + listFile)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected.Count, got.Length);
            for (int i = 0; i < expected.Count; i++)
            {
                string file = expected[i].Split('\t')[0];
                // Without the kernel's BTF those must fail as libbpf does (ESRCH), naming it; all others as here.
                if (needsKernelIds.Contains(file) && got[i] != expected[i])
                    Assert.Matches(@"\tBPF_PROG_LOAD \(.*the kernel's BTF, which is not there.*\): ESRCH", got[i]);
                else
                    Assert.Equal(expected[i], got[i]);
            }
            int same = expected.Where((e, i) => e == got[i] && e.EndsWith("\tloaded", StringComparison.Ordinal)).Count();
            Assert.True(same >= 20, $"only {same} tools load without the kernel's BTF:\n{string.Join('\n', got)}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        static string FullOutcome(string path)
        {
            try
            {
                using var obj = BpfObject.Open(path);
                obj.Load();
                return "loaded";
            }
            catch (BpfException e)
            {
                return e.Message.Split('\n')[0];
            }
        }
    }

    /// <summary>
    /// A process that cannot see <c>/sys/kernel/btf</c> (an empty tmpfs over it in a mount namespace of its own)
    /// loads core_reloc.bpf.o with the minimal BTF file bpfsharp btf min-core wrote; every value a relocation
    /// decided is the one the full BTF gives here, and the CO-RE reads of its own task find its pid.
    /// </summary>
    [Fact]
    public async Task ProcessWithoutKernelBtfLoadsWithTheMinimalFile()
    {
        TestKernel.RequireRoot();
        Kernel();
        string unshare = TestKernel.RequireTool("unshare");
        string dir = Directory.CreateTempSubdirectory("bpfsharp-btfw-hidden-").FullName;
        try
        {
            string fixture = ObjectLoadTests.Fixture("core_reloc.bpf.o"), minimalFile = Path.Combine(dir, "core_reloc.btf");
            var made = BpfSharpTool.Run("btf", "min-core", fixture, "-o", minimalFile);
            Assert.True(made.ExitCode == 0, made.Stderr);

            string output = await HiddenBtfChild(unshare, $"{fixture}|{minimalFile}");
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("hidden_btf ", lines[0]);
            var values = lines[1..].Select(l => l.Split('=')).ToDictionary(p => p[0], p => ulong.Parse(p[1]));
            ulong childPid = ulong.Parse(lines[0].Split(' ')[1]);
            Assert.Equal((childPid, childPid), (values["pid"], values["tgid"]));

            // The host still sees its BTF; what the relocations decided is what the full BTF decides.
            Assert.True(File.Exists(VmlinuxPath));
            using var obj = BpfObject.Open(fixture);
            obj.Load();
            foreach (var name in obj.Programs.Keys.Order(StringComparer.Ordinal)) obj.Programs[name].Program!.TestRun(new BpfTestRunOptions());
            int compared = 0;
            foreach (var v in obj.Variables.Values)
            {
                if (v.Name is "pid" or "tgid" or "ppid_seen" or "bf_value") continue; // this process's own task
                var value = new byte[v.Map.ValueSize];
                v.Map.Map!.Lookup(new byte[4], value);
                Assert.Equal($"{v.Name}={BitConverter.ToUInt64(value, v.Offset)}", $"{v.Name}={values[v.Name]}");
                compared++;
            }
            Assert.True(compared >= 15, $"only {compared} values compared");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CliWritesMinimalBtfForSeveralObjects()
    {
        var kernel = Kernel();
        string dir = Directory.CreateTempSubdirectory("bpfsharp-btfw-cli-").FullName;
        try
        {
            string out1 = Path.Combine(dir, "min.btf");
            var fixtures = new[] { "core_reloc.bpf.o", "core_anon.bpf.o" }.Select(ObjectLoadTests.Fixture).ToArray();
            var result = BpfSharpTool.Run(["btf", "min-core", .. fixtures, "--btf", VmlinuxPath, "-o", out1]);
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains("min.btf: ", result.Stderr);
            var written = BtfSpec.Load(out1);
            foreach (var f in fixtures)
            {
                using var obj = BpfObject.Open(f);
                Assert.Equal(Resolve(obj, kernel), Resolve(obj, written));
            }
            // bpftool reads the file too.
            TestKernel.Run(TestKernel.RequireTool("bpftool"), "btf", "dump", "file", out1);

            var missing = BpfSharpTool.Run("btf", "min-core", Path.Combine(dir, "nope.bpf.o"), "-o", out1);
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains("nope.bpf.o: no such file", missing.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
