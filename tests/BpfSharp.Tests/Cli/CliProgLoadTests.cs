using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>prog load</c> and <c>prog loadall</c> beside bpftool's: the same object loaded by both, the pins compared name by
/// name and each pinned program (or link) compared field by field through bpftool's own <c>show</c>.
/// </summary>
public sealed class CliProgLoadTests
{
    /// <summary>A directory of its own in bpffs, removed with everything pinned under it.</summary>
    private sealed class PinDir : IDisposable
    {
        public string Path { get; } = $"/sys/fs/bpf/verbs-{Guid.NewGuid():N}"[..30];

        public PinDir() => Directory.CreateDirectory(Path);

        public string this[string name] => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
    }

    private static JsonElement Bpftool(params string[] args) => TestKernel.Bpftool(null, args);

    /// <summary>
    /// What identifies a loaded program whoever loaded it: its kind, name, size after the verifier, licence and maps.
    /// Not the tag: libbpf and BpfSharp append a program's subprograms in different orders (same code, other offsets).
    /// </summary>
    private static void AssertSameProgram(JsonElement theirs, JsonElement ours)
    {
        foreach (var field in new[] { "type", "name", "bytes_xlated", "gpl_compatible" })
            Assert.True(theirs.GetProperty(field).ToString() == ours.GetProperty(field).ToString(),
                $"{field}: bpftool's load {theirs.GetProperty(field)}, bpfsharp's {ours.GetProperty(field)}");
        Assert.Equal(MapCount(theirs), MapCount(ours));
    }

    /// <summary>bpftool leaves "map_ids" out for a program without maps.</summary>
    private static int MapCount(JsonElement prog) => prog.TryGetProperty("map_ids", out var ids) ? ids.GetArrayLength() : 0;

    private static bool UsesMap(JsonElement prog, uint map) => prog.TryGetProperty("map_ids", out var ids) && ids.EnumerateArray().Any(m => m.GetUInt32() == map);

    private static string[] Names(string dir) => [.. Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void LoadAll_PinsEveryProgramAndMap_AsBpftool()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        string obj = BpfSharpTool.Fixture("subprogs.bpf.o");
        using var dir = new PinDir();
        TestKernel.Run("bpftool", "prog", "loadall", obj, dir["theirs"], "pinmaps", dir["theirs-maps"]);
        var r = BpfSharpTool.Ok("prog", "loadall", obj, dir["ours"], "pinmaps", dir["ours-maps"]);
        Assert.Equal("", r.Stdout);

        Assert.Equal(Names(dir["theirs"]), Names(dir["ours"]));
        Assert.Equal(Names(dir["theirs-maps"]), Names(dir["ours-maps"]));
        Assert.NotEmpty(Names(dir["ours"]));
        foreach (var name in Names(dir["theirs"]))
            AssertSameProgram(Bpftool("prog", "show", "pinned", Path.Combine(dir["theirs"], name)), Bpftool("prog", "show", "pinned", Path.Combine(dir["ours"], name)));
        foreach (var name in Names(dir["theirs-maps"]))
        {
            var theirs = Bpftool("map", "show", "pinned", Path.Combine(dir["theirs-maps"], name));
            var ours = Bpftool("map", "show", "pinned", Path.Combine(dir["ours-maps"], name));
            foreach (var field in new[] { "type", "name", "bytes_key", "bytes_value", "max_entries", "flags" })
                Assert.True(theirs.GetProperty(field).ToString() == ours.GetProperty(field).ToString(), $"map {name} {field}: bpftool {theirs.GetProperty(field)}, bpfsharp {ours.GetProperty(field)}");
        }
        // The programs use the maps pinned beside them.
        var values = Bpftool("map", "show", "pinned", dir["ours-maps"] + "/values").GetProperty("id").GetUInt32();
        Assert.Contains(Names(dir["ours"]), n => UsesMap(Bpftool("prog", "show", "pinned", Path.Combine(dir["ours"], n)), values));
    }

    [Fact]
    public void Load_PinsTheFirstProgram_AsBpftool_AndJsonIsNull()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        string obj = BpfSharpTool.Fixture("subprogs.bpf.o");
        using var dir = new PinDir();
        TestKernel.Run("bpftool", "prog", "load", obj, dir["theirs"]);
        var r = BpfSharpTool.Ok("-j", "prog", "load", obj, dir["ours"]);
        Assert.Equal("null", r.Stdout.Trim());
        AssertSameProgram(Bpftool("prog", "show", "pinned", dir["theirs"]), Bpftool("prog", "show", "pinned", dir["ours"]));
        // And the other way round: bpfsharp shows what bpftool loaded as bpftool does.
        var ours = BpfSharpTool.Ok("-j", "prog", "show", "pinned", dir["theirs"]).Json;
        AssertSameProgram(Bpftool("prog", "show", "pinned", dir["theirs"]), ours);
    }

    [Fact]
    public void Load_ReusesAnExistingMap_ByNameAndByIndex()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        string obj = BpfSharpTool.Fixture("subprogs.bpf.o");
        using var dir = new PinDir();
        // Learn the object's map "values" as bpftool creates it, then make a twin to reuse.
        TestKernel.Run("bpftool", "prog", "loadall", obj, dir["probe"], "pinmaps", dir["probe-maps"]);
        var shape = Bpftool("map", "show", "pinned", dir["probe-maps"] + "/values");
        TestKernel.Run("bpftool", "map", "create", dir["existing"], "type", shape.GetProperty("type").GetString()!,
            "key", shape.GetProperty("bytes_key").ToString(), "value", shape.GetProperty("bytes_value").ToString(),
            "entries", shape.GetProperty("max_entries").ToString(), "name", "verbs_reuse");
        uint existing = Bpftool("map", "show", "pinned", dir["existing"]).GetProperty("id").GetUInt32();

        BpfSharpTool.Ok("prog", "loadall", obj, dir["by-name"], "map", "name", "values", "pinned", dir["existing"]);
        BpfSharpTool.Ok("prog", "loadall", obj, dir["by-id"], "map", "name", "values", "id", existing.ToString());
        BpfSharpTool.Ok("prog", "loadall", obj, dir["by-idx"], "map", "idx", "0", "pinned", dir["existing"]); // the object's only map
        foreach (var loaded in new[] { dir["by-name"], dir["by-id"], dir["by-idx"] })
            Assert.Contains(Names(loaded), n => UsesMap(Bpftool("prog", "show", "pinned", Path.Combine(loaded, n)), existing));
        Assert.Empty(Directory.GetFiles(dir.Path, "bpfsharp-reuse-*")); // the pin that lent the map by id is gone

        var missing = BpfSharpTool.Run("prog", "loadall", obj, dir["bad"], "map", "name", "nope", "id", existing.ToString());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("unable to find map 'nope'", missing.Stderr);
        var idx = BpfSharpTool.Run("prog", "loadall", obj, dir["bad"], "map", "idx", "99", "id", existing.ToString());
        Assert.Equal(1, idx.ExitCode);
        Assert.Contains("map idx '99' not used", idx.Stderr);
        Assert.False(Directory.Exists(dir["bad"]) && Names(dir["bad"]).Length > 0);
    }

    [Fact]
    public void LoadAll_AutoAttach_PinsALinkWhereTheSectionSaysWhere_AndTheProgramElsewhere()
    {
        // bpftool 7.1 has no autoattach: the kernel is the witness (bpftool only reads what the pins are).
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        string obj = BpfSharpTool.Fixture("hosting.bpf.o");
        using var dir = new PinDir();
        var r = BpfSharpTool.Ok("prog", "loadall", obj, dir["ours"], "autoattach");
        Assert.Equal(["count_packets", "count_syscalls"], Names(dir["ours"]));

        var link = TryBpftool("link", "show", "pinned", dir["ours"] + "/count_syscalls") ?? throw new Xunit.Sdk.XunitException("raw_tp/sys_enter was not pinned as a link");
        Assert.Equal("raw_tracepoint", link.GetProperty("type").GetString());
        Assert.Equal("sys_enter", link.GetProperty("tp_name").GetString());
        var linked = Bpftool("prog", "show", "id", link.GetProperty("prog_id").ToString());
        Assert.Equal("count_syscalls", linked.GetProperty("name").GetString());
        Assert.Contains(Bpftool("link", "list").EnumerateArray(), l => l.GetProperty("id").GetUInt32() == link.GetProperty("id").GetUInt32());

        // xdp says no interface: pinned as a program, with bpftool's words.
        Assert.Null(TryBpftool("link", "show", "pinned", dir["ours"] + "/count_packets"));
        Assert.Equal("xdp", Bpftool("prog", "show", "pinned", dir["ours"] + "/count_packets").GetProperty("type").GetString());
        Assert.Contains("Program count_packets does not support autoattach, falling back to pinning", r.Stderr);
    }

    private static JsonElement? TryBpftool(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bpftool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args.Append("-j")) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? JsonDocument.Parse(output).RootElement.Clone() : null;
    }

    [Fact]
    public void Load_TypeKeyword_SetsEveryProgramsType_AsBpftool()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        string obj = BpfSharpTool.Example("pktcount.bpf.o");
        using var dir = new PinDir();
        // The sections say xdp; "type xdp" is what bpftool's users write for objects whose sections say nothing.
        TestKernel.Run("bpftool", "prog", "load", obj, dir["theirs"], "type", "xdp");
        BpfSharpTool.Ok("prog", "load", obj, dir["ours"], "type", "xdp");
        AssertSameProgram(Bpftool("prog", "show", "pinned", dir["theirs"]), Bpftool("prog", "show", "pinned", dir["ours"]));
        // A type the object's code does not fit is the verifier's to refuse, for both.
        var wrong = BpfSharpTool.Run("prog", "load", obj, dir["wrong"], "type", "socket");
        Assert.Equal(1, wrong.ExitCode);
        Assert.False(File.Exists(dir["wrong"]));
    }

    [Fact]
    public void Load_KernelBtf_RelocatesAgainstTheGivenFile()
    {
        // bpftool 7.1 has no kernel_btf: the kernel's own BTF file given explicitly must load as the default does.
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Assert.Skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)");
        string obj = BpfSharpTool.Fixture("core_reloc.bpf.o");
        using var dir = new PinDir();
        BpfSharpTool.Ok("prog", "load", obj, dir["given"], "kernel_btf", "/sys/kernel/btf/vmlinux");
        BpfSharpTool.Ok("prog", "load", obj, dir["default"]);
        AssertSameProgram(Bpftool("prog", "show", "pinned", dir["default"]), Bpftool("prog", "show", "pinned", dir["given"]));
        var missing = BpfSharpTool.Run("prog", "load", obj, dir["missing"], "kernel_btf", "/nonexistent/verbs.btf");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("/nonexistent/verbs.btf", missing.Stderr);
    }

    [Fact]
    public void Load_RefusesPathsOutsideBpffs_AndUnknownKeywords()
    {
        TestKernel.RequireRoot();
        string obj = BpfSharpTool.Fixture("subprogs.bpf.o");
        var outside = BpfSharpTool.Run("prog", "load", obj, "/tmp/verbs-not-bpffs");
        Assert.Equal(1, outside.ExitCode);
        Assert.Contains("not in bpffs", outside.Stderr);
        var keyword = BpfSharpTool.Run("prog", "load", obj, "/sys/fs/bpf/verbs-never", "frobnicate");
        Assert.Equal(1, keyword.ExitCode);
        Assert.Contains("'frobnicate'", keyword.Stderr);
        var type = BpfSharpTool.Run("prog", "load", obj, "/sys/fs/bpf/verbs-never", "type", "nosuchtype");
        Assert.Equal(1, type.ExitCode);
        Assert.Contains("type nosuchtype", type.Stderr);
        Assert.False(File.Exists("/sys/fs/bpf/verbs-never"));
    }
}
