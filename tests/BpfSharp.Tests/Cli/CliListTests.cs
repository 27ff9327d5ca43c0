using System.Text.Json;
using BpfSharp.Asm;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>prog</c>, <c>map</c> and <c>link</c> list/show with <c>--json</c>, checked field by field against
/// bpftool's JSON for objects this test created (other tests run concurrently: only our ids are looked at).
/// </summary>
public sealed class CliListTests
{
    private static (BpfMap Map, BpfProgram Program) LoadCounter(BpfProgramType type = BpfProgramType.Xdp, string name = "cli_count")
    {
        var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1, new BpfMapCreateOptions { Name = "cli_counts" });
        var insns = new BpfAssembler()
            .StoreImm(R10, -4, 0, BpfSize.W)
            .Mov64(R2, R10).Add64(R2, -4)
            .LoadMapFd(R1, map)
            .Call(BpfHelper.MapLookupElem)
            .JumpIf(JumpOp.Eq, R0, 0, "out")
            .Mov64(R1, 1).AtomicAdd(R0, 0, R1, BpfSize.DW)
            .Label("out").Mov64(R0, type == BpfProgramType.Xdp ? 2 : 0).Exit()
            .Build();
        var prog = BpfProgram.Load(type, insns, new BpfProgramLoadOptions { Name = name });
        return (map, prog);
    }

    private static JsonElement Find(JsonElement array, uint id) =>
        array.EnumerateArray().Single(e => e.GetProperty("id").GetUInt32() == id);

    private static void AssertSameFields(JsonElement ours, JsonElement bpftool, params string[] fields)
    {
        foreach (var f in fields)
        {
            Assert.True(bpftool.TryGetProperty(f, out var theirs), $"bpftool has no '{f}' in {bpftool}");
            Assert.True(ours.TryGetProperty(f, out var mine), $"bpfsharp has no '{f}' in {ours}");
            Assert.Equal(theirs.ToString(), mine.ToString());
        }
    }

    private static readonly string[] ProgramFields = ["id", "type", "name", "tag", "gpl_compatible", "uid", "bytes_xlated", "jited", "bytes_jited", "bytes_memlock", "map_ids"];

    /// <summary>
    /// bpftool's loaded_at is the wall-clock second of the load, computed from the clocks when it runs: the two tools,
    /// run a moment apart, may round to neighbouring seconds.
    /// </summary>
    private static void AssertSameLoadTime(JsonElement ours, JsonElement bpftool)
    {
        long theirs = bpftool.GetProperty("loaded_at").GetInt64(), mine = ours.GetProperty("loaded_at").GetInt64();
        Assert.True(Math.Abs(theirs - mine) <= 1, $"loaded_at {mine}, bpftool {theirs}");
    }

    [Fact]
    public void ProgListAndShowJsonMatchBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        var (map, prog) = LoadCounter();
        using (map)
        using (prog)
        {
            var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "prog", "show", "id", prog.Id.ToString(), "-j")).RootElement;
            var list = BpfSharpTool.Ok("prog", "list", "--json").Json;
            AssertSameFields(Find(list, prog.Id), theirs, ProgramFields);
            AssertSameLoadTime(Find(list, prog.Id), theirs);
            var show = BpfSharpTool.Ok("prog", "show", prog.Id.ToString(), "--json").Json;
            AssertSameFields(show, theirs, ProgramFields);
            AssertSameLoadTime(show, theirs);
            Assert.Equal([(int)map.Id], show.GetProperty("map_ids").EnumerateArray().Select(e => e.GetInt32()));
        }
    }

    [Fact]
    public void ProgShowOfAPinAndTextTable()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        var (map, prog) = LoadCounter();
        using (map)
        using (prog)
        {
            BpfSharpTool.Ok("prog", "pin", prog.Id.ToString(), dir["prog"]);
            var show = BpfSharpTool.Ok("prog", "show", dir["prog"], "--json").Json;
            Assert.Equal(prog.Id, show.GetProperty("id").GetUInt32());
            var table = BpfSharpTool.Ok("prog", "list").Stdout;
            Assert.Contains(table.Split('\n'), l => l.TrimStart().StartsWith(prog.Id + " ", StringComparison.Ordinal) && l.Contains("cli_count"));
        }
    }

    [Fact]
    public void ProgRunTestRunsWithDataFromAFile()
    {
        TestKernel.RequireRoot();
        var (map, prog) = LoadCounter();
        string packet = Path.GetTempFileName();
        try
        {
            using (map)
            using (prog)
            {
                File.WriteAllBytes(packet, new byte[64]);
                var r = BpfSharpTool.Ok("prog", "run", prog.Id.ToString(), "--data-in", packet, "--repeat", "5", "--json").Json;
                Assert.Equal(2, r.GetProperty("retval").GetInt32());
                Assert.Equal(5, map.Lookup<int, long>(0));
            }
        }
        finally { File.Delete(packet); }
    }

    private static readonly string[] MapFields = ["id", "type", "name", "flags", "bytes_key", "bytes_value", "max_entries", "bytes_memlock", "frozen"];

    [Fact]
    public void JsonAndPrettyAnywhereOnTheLine_AsBpftoolTakesThem()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 2, new BpfMapCreateOptions { Name = "cli_anywhere" });
        string id = map.Id.ToString();
        var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "map", "show", "id", id)).RootElement;
        foreach (var args in new[] { new[] { "-j", "map", "show", id }, ["map", "-j", "show", id], ["map", "show", id, "--json"], ["--json", "map", "show", id] })
        {
            var r = BpfSharpTool.Ok(args);
            Assert.DoesNotContain('\n', r.Stdout.TrimEnd()); // -j alone: one compact line in a pipe, as bpftool prints it
            AssertSameFields(r.Json, theirs, MapFields);
        }
        foreach (var args in new[] { new[] { "-p", "map", "show", id }, ["map", "show", id, "--pretty"], ["-jp", "map", "list"] })
        {
            var r = BpfSharpTool.Ok(args);
            Assert.Contains("\n  ", r.Stdout); // indented
            var element = r.Json.ValueKind == JsonValueKind.Array ? Find(r.Json, map.Id) : r.Json;
            AssertSameFields(element, theirs, MapFields);
        }
        // -j is taken by commands that print nothing else, as bpftool takes it.
        BpfSharpTool.Ok("-j", "map", "update", id, "--key", "1", "--value", "5");
        Assert.Equal(5L, map.Lookup<int, long>(1));
        // In run, -p stays --program.
        var run = BpfSharpTool.Run("run", BpfSharpTool.Example("pktcount.bpf.o"), "-p", "helper_no_such_program", "--duration", "0");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("helper_no_such_program", run.Stderr);
    }

    [Fact]
    public void MapShowSaysFrozen_AsBpftoolDoes()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 2, new BpfMapCreateOptions { Name = "cli_frozen" });
        Assert.Equal(0, BpfSharpTool.Ok("map", "show", map.Id.ToString(), "-j").Json.GetProperty("frozen").GetInt32());
        map.Freeze();
        var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "map", "show", "id", map.Id.ToString(), "-j")).RootElement;
        var ours = BpfSharpTool.Ok("map", "show", map.Id.ToString(), "-j").Json;
        Assert.Equal(1, theirs.GetProperty("frozen").GetInt32());
        AssertSameFields(ours, theirs, MapFields);
        Assert.Contains(BpfSharpTool.Ok("map", "show", map.Id.ToString()).Stdout.Split('\n'), l => l.StartsWith("frozen:", StringComparison.Ordinal) && l.EndsWith("yes", StringComparison.Ordinal));
    }

    [Fact]
    public void MapListAndShowJsonMatchBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 16, new BpfMapCreateOptions { Name = "cli_hash", Flags = BpfMapFlags.NoPrealloc });
        var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "map", "show", "id", map.Id.ToString(), "-j")).RootElement;
        AssertSameFields(Find(BpfSharpTool.Ok("map", "list", "--json").Json, map.Id), theirs, MapFields);
        AssertSameFields(BpfSharpTool.Ok("map", "show", map.Id.ToString(), "--json").Json, theirs, MapFields);
    }

    [Fact]
    public void MapUpdateLookupDumpDelete()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 16, new BpfMapCreateOptions { Name = "cli_elems" });
        string id = map.Id.ToString();
        BpfSharpTool.Ok("map", "update", id, "--key", "7", "--value", "0x1122");
        Assert.Equal(0x1122L, map.Lookup<int, long>(7));
        var found = BpfSharpTool.Ok("map", "lookup", id, "--key", "07", "00", "00", "00", "--json").Json;
        Assert.Equal(["0x22", "0x11", "0x00", "0x00", "0x00", "0x00", "0x00", "0x00"], found.GetProperty("value").EnumerateArray().Select(e => e.GetString()));
        var dump = BpfSharpTool.Ok("map", "dump", id, "--json").Json;
        Assert.Single(dump.EnumerateArray());
        BpfSharpTool.Ok("map", "delete", id, "--key", "7");
        Assert.False(map.TryLookup(7, out long _));
        var missing = BpfSharpTool.Run("map", "lookup", id, "--key", "7");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no element", missing.Stderr);
    }

    [Fact]
    public void LinkListAndShowJsonMatchBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        var (map, prog) = LoadCounter(BpfProgramType.RawTracepoint, "cli_rawtp");
        using (map)
        using (prog)
        using (var link = prog.AttachRawTracepoint("sys_enter"))
        {
            string[] fields = ["id", "type", "prog_id", "tp_name"];
            var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "id", link.Id.ToString(), "-j")).RootElement;
            AssertSameFields(Find(BpfSharpTool.Ok("link", "list", "--json").Json, link.Id), theirs, fields);
            AssertSameFields(BpfSharpTool.Ok("link", "show", link.Id.ToString(), "--json").Json, theirs, fields);
            // Reading about a link must not detach it.
            Assert.True(Counters.Moves(map));
        }
    }

    [Fact]
    public void LinkPinAndUnpin()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        var (map, prog) = LoadCounter(BpfProgramType.RawTracepoint, "cli_rawtp");
        using (map)
        using (prog)
        {
            var link = prog.AttachRawTracepoint("sys_enter");
            uint id = link.Id;
            BpfSharpTool.Ok("link", "pin", id.ToString(), dir["link"]);
            link.Dispose(); // the pin holds it now
            Assert.True(Counters.Moves(map));
            Assert.Equal(id, BpfSharpTool.Ok("link", "show", dir["link"], "--json").Json.GetProperty("id").GetUInt32());
            var wrongKind = BpfSharpTool.Run("link", "detach", id.ToString());
            Assert.NotEqual(0, wrongKind.ExitCode); // raw tracepoint links cannot be detached while held
            var update = BpfSharpTool.Run("link", "update", id.ToString(), "--program", prog.Id.ToString());
            Assert.NotEqual(0, update.ExitCode); // raw tracepoint links have no BPF_LINK_UPDATE
            Assert.StartsWith("bpfsharp: BPF_LINK_UPDATE", update.Stderr);
            var notALink = BpfSharpTool.Run("link", "unpin", dir["missing"]);
            Assert.NotEqual(0, notALink.ExitCode);
            BpfSharpTool.Ok("link", "unpin", dir["link"]);
            Assert.False(File.Exists(dir["link"]));
            Assert.True(Eventually.LinkGone(id), "the link outlived its last reference");
        }
    }
}
