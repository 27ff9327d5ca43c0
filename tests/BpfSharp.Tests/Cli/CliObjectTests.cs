using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp object inspect --json</c> on the loader fixtures (their README lists what each holds).</summary>
public sealed class CliObjectTests
{
    private static JsonElement Inspect(string fixture) => BpfSharpTool.Ok("object", "inspect", BpfSharpTool.Fixture(fixture), "--json").Json;

    private static JsonElement Named(JsonElement parent, string array, string name) =>
        parent.GetProperty(array).EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

    [Fact]
    public void Load_LoadsWhatInspectSaysIsAutoloaded()
    {
        TestKernel.RequireRoot();
        var o = Inspect("maps.bpf.o");
        int programs = o.GetProperty("programs").EnumerateArray().Count(p => p.GetProperty("autoload").GetBoolean());
        int maps = o.GetProperty("maps").GetArrayLength();
        var r = BpfSharpTool.Ok("object", "load", BpfSharpTool.Fixture("maps.bpf.o"));
        Assert.Equal($"maps.bpf.o: {programs} programs and {maps} maps loaded", r.Stdout.Trim());
    }

    [Fact]
    public void Load_OfAnObjectTheKernelCannotTake_FailsNamingWhy()
    {
        TestKernel.RequireRoot();
        var r = BpfSharpTool.Run("object", "load", BpfSharpTool.Fixture("externs_missing.bpf.o"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("bpfsharp: load of object externs_missing", r.Stderr.Trim());
        Assert.Contains("CONFIG_BPFSHARP_NOT_THERE", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void MapsFixture()
    {
        var o = Inspect("maps.bpf.o");
        Assert.Equal(31, o.GetProperty("maps").GetArrayLength());
        var lpm = Named(o, "maps", "lpm_trie");
        Assert.Equal("lpm_trie", lpm.GetProperty("type").GetString());
        Assert.Equal(8, lpm.GetProperty("bytes_key").GetInt32());
        Assert.Equal(4, lpm.GetProperty("bytes_value").GetInt32());
        Assert.Equal(1, lpm.GetProperty("flags").GetInt32()); // BPF_F_NO_PREALLOC
        var bloom = Named(o, "maps", "bloom_filter");
        Assert.Equal((0, 4, 16), (bloom.GetProperty("bytes_key").GetInt32(), bloom.GetProperty("bytes_value").GetInt32(), bloom.GetProperty("max_entries").GetInt32()));
        Assert.Equal("array", Named(o, "maps", "array_of_maps").GetProperty("inner_map").GetProperty("type").GetString());
        Assert.Equal(65536, Named(o, "maps", "ringbuf").GetProperty("max_entries").GetInt32());
        var touch = Named(o, "programs", "touch_maps");
        Assert.Equal("xdp", touch.GetProperty("type").GetString());
        Assert.Equal("xdp", touch.GetProperty("section").GetString());
        Assert.Equal("raw_tracepoint", Named(o, "programs", "touch_task").GetProperty("auto_attach").GetString());
        Assert.Equal("GPL", o.GetProperty("license").GetString());
    }

    [Fact]
    public void GlobalsFixture()
    {
        var o = Inspect("globals.bpf.o");
        var expected = new (string Name, string Section, int Offset, int Size)[]
        {
            ("data_int", ".data", 0, 4), ("data_array", ".data", 8, 32), ("data_pair", ".data", 40, 8), ("static_data", ".data", 48, 4),
            ("bss_int", ".bss", 0, 4), ("bss_pair", ".bss", 4, 8), ("bss_array", ".bss", 16, 64),
            ("ro_mult", ".rodata", 0, 4), ("ro_config", ".rodata", 8, 16), ("ro_greeting", ".rodata", 24, 8),
            ("counter", ".data.counters", 0, 4), ("counter_step", ".data.counters", 4, 4), ("limit", ".rodata.limits", 0, 4),
        };
        foreach (var (name, section, offset, size) in expected)
        {
            var v = Named(o, "variables", name);
            Assert.Equal(section, v.GetProperty("section").GetString());
            Assert.Equal(offset, v.GetProperty("offset").GetInt32());
            Assert.Equal(size, v.GetProperty("size").GetInt32());
        }
        Assert.Equal("struct pair", Named(o, "variables", "data_pair").GetProperty("type").GetString());
        var rodata = o.GetProperty("maps").EnumerateArray().Single(m => m.GetProperty("section").GetString() == ".rodata");
        Assert.Equal(0x480, rodata.GetProperty("flags").GetInt32());
        Assert.Equal(["bump_globals", "read_globals", "xdp_action"], o.GetProperty("programs").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order());
    }

    [Fact]
    public void LegacyMapsFixture()
    {
        var o = Inspect("legacy_maps.bpf.o");
        var counters = Named(o, "maps", "counters");
        Assert.Equal(("array", 4, 4, 2), (counters.GetProperty("type").GetString(), counters.GetProperty("bytes_key").GetInt32(),
            counters.GetProperty("bytes_value").GetInt32(), counters.GetProperty("max_entries").GetInt32()));
        var hash = Named(o, "maps", "legacy_hash");
        Assert.Equal(("hash", 8, 8, 1), (hash.GetProperty("type").GetString(), hash.GetProperty("bytes_value").GetInt32(),
            hash.GetProperty("max_entries").GetInt32(), hash.GetProperty("flags").GetInt32()));
        Assert.Equal("maps", hash.GetProperty("section").GetString());
    }

    [Fact]
    public void VerifierRejectFixtureHasAutoloadOff()
    {
        var o = Inspect("verifier_reject.bpf.o");
        var bad = Named(o, "programs", "bad_packet_read");
        Assert.False(bad.GetProperty("autoload").GetBoolean());
        Assert.Equal("xdp", bad.GetProperty("section").GetString());
        Assert.True(Named(o, "programs", "good_pass").GetProperty("autoload").GetBoolean());
    }

    [Fact]
    public void SubprogramsTailCallsAndCoreRelocations()
    {
        var sub = Inspect("subprogs.bpf.o");
        Assert.Equal(["for_each_sum", "loop_sum", "xdp_one", "xdp_two"], sub.GetProperty("programs").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order());
        Assert.Equal("sched_cls", Named(sub, "programs", "loop_sum").GetProperty("type").GetString());

        var tail = Inspect("tail_calls.bpf.o");
        Assert.Equal("prog_array", Named(tail, "maps", "jump_table").GetProperty("type").GetString());

        var core = Inspect("core_reloc.bpf.o");
        Assert.True(core.GetProperty("relocations").GetProperty("core").GetInt32() > 0);
        Assert.All(new[] { "core_fields", "core_bitfields", "core_types" },
            name => Assert.True(Named(core, "programs", name).GetProperty("core_relocations").GetInt32() > 0));
        Assert.Equal(0, sub.GetProperty("relocations").GetProperty("core").GetInt32());
    }

    [Fact]
    public void TextOutputListsEverySection()
    {
        var r = BpfSharpTool.Ok("object", "inspect", BpfSharpTool.Example("execsnoop.bpf.o"));
        Assert.Contains("handle_exec", r.Stdout);
        Assert.Contains("tp/sched/sched_process_exec", r.Stdout);
        Assert.Contains("ringbuf", r.Stdout);
        Assert.Contains("CO-RE relocations", r.Stdout);
    }
}
