using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp run</c> on objects it did not write: those embedded in Debian's libbpf-tools (object extract), whose
/// record structs are missing or beside kernel structs, whose maps user space cannot all read, and whose programs
/// are alternatives of each other.
/// </summary>
public sealed partial class CliRunToolObjectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory($"bpfsharp-tools-{Environment.ProcessId}-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Extracted(string tool)
    {
        string exe = TestKernel.RequireTool(tool);
        var r = BpfSharpTool.Ok("object", "extract", exe, "-o", _dir);
        string obj = Path.Combine(_dir, $"{tool}.bpf.o");
        Assert.Contains(obj, r.Stdout);
        // What was extracted is a whole object: it opens, with its programs.
        Assert.Contains("Programs:", BpfSharpTool.Ok("object", "inspect", obj).Stdout);
        return obj;
    }

    /// <summary>A BPF object this test writes, compiled by the clang that set-up installs.</summary>
    private string Compiled(string name, string source)
    {
        string clang = TestKernel.RequireTool("clang-19");
        string c = Path.Combine(_dir, $"{name}.bpf.c"), obj = Path.Combine(_dir, $"{name}.bpf.o");
        File.WriteAllText(c, source);
        string arch = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string multiarch = Directory.Exists("/usr/include/x86_64-linux-gnu") ? "/usr/include/x86_64-linux-gnu" : $"/usr/include/{arch}-linux-gnu";
        TestKernel.Run(clang, "-g", "-O2", "-target", "bpf", $"-I{multiarch}", "-c", c, "-o", obj);
        return obj;
    }

    [GeneratedRegex(@"records of events \((\d+) bytes\) are shown in hex \((.*)\); give the layout with --event-type NAME --types")]
    private static partial Regex HexHint();

    [Fact]
    public void ExtractRefusesAnExecutableWithoutBpfObjects()
    {
        var r = BpfSharpTool.Run("object", "extract", "/bin/true", "-o", _dir);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("embeds no BPF object", r.Stderr);
    }

    [Fact]
    public void RecordsWithoutTheirStructAreHexWithAHint()
    {
        TestKernel.RequireRoot();
        string obj = Extracted("opensnoop");
        // opensnoop's struct event is not in its object's BTF; args_t (a map value) is, and does not fit.
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", obj, "--duration", "1.5", "--json");
        using (p)
        {
            File.ReadAllText("/etc/hostname");
            Assert.True(p.WaitForExit(60_000));
            var records = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.TryGetProperty("map", out _)).ToList();
            Assert.NotEmpty(records);
            Assert.All(records, l => Assert.False(l.TryGetProperty("event", out _), l.ToString()));
            var hint = HexHint().Match(stderr.ToString());
            Assert.True(hint.Success, stderr.ToString());
            Assert.Equal(records[0].GetProperty("data").GetString()!.Length / 2, int.Parse(hint.Groups[1].Value));
            Assert.Contains("args_t (16 bytes) do not fit", hint.Groups[2].Value);
        }
    }

    private const string KeyLookalikeSource = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        char LICENSE[] SEC("license") = "GPL";
        /* Counted per flow: a 16-byte key struct, the size of the records below. */
        struct flow { __u32 saddr, daddr; __u64 port; };
        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, struct flow); __type(value, __u64); } counts SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096 * 4); } events SEC(".maps");
        SEC("tracepoint/syscalls/sys_enter_openat")
        int on_openat(void *ctx)
        {
            struct flow key = { 1, 2, 3 };
            __u64 one = 1, *record;
            bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
            /* Two bare numbers: no struct of the object describes the record. */
            record = bpf_ringbuf_reserve(&events, 16, 0);
            if (!record)
                return 0;
            record[0] = 0x1111;
            record[1] = 0x2222;
            bpf_ringbuf_submit(record, 0);
            return 0;
        }
        """;

    [Fact]
    public void AMapKeyStructOfTheRecordsSize_IsNotTheirLayout()
    {
        TestKernel.RequireRoot();
        string obj = Compiled("keys", KeyLookalikeSource);
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", obj, "--duration", "1.5", "--json");
        using (p)
        {
            File.ReadAllText("/etc/hostname");
            Assert.True(p.WaitForExit(60_000));
            var records = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.TryGetProperty("map", out var m) && m.GetString() == "events").ToList();
            Assert.NotEmpty(records);
            // Decoded as struct flow, a record would read saddr=0x1111; it is hex, with the hint naming its size.
            Assert.All(records, l => Assert.False(l.TryGetProperty("event", out _), l.ToString()));
            var hint = HexHint().Match(stderr.ToString());
            Assert.True(hint.Success, stderr.ToString());
            Assert.Equal("16", hint.Groups[1].Value);
        }
    }

    private const string CutInTheMiddleSource = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        char LICENSE[] SEC("license") = "GPL";
        /* As ksnoop's struct trace: a buffer sent as far as it was filled, then members only user space uses. */
        struct event { __u32 pid; __u16 len; char buf[64]; char buf_end[0]; __u64 user_only; __u64 more; };
        struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct event); } scratch SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096 * 4); } events SEC(".maps");
        SEC("tracepoint/syscalls/sys_enter_openat")
        int on_openat(void *ctx)
        {
            __u32 zero = 0;
            struct event *e = bpf_map_lookup_elem(&scratch, &zero);
            if (!e)
                return 0;
            e->pid = bpf_get_current_pid_tgid() >> 32;
            e->len = 6;
            __builtin_memcpy(e->buf, "hello", 6);
            e->user_only = 0x77;
            bpf_ringbuf_output(&events, e, __builtin_offsetof(struct event, buf) + 6, 0);
            return 0;
        }
        """;

    /// <summary>
    /// A record cut inside a buffer that is not its struct's last member: guessed, the struct is not taken (a cut
    /// there could fit many structs by chance), and the records are hex with the hint; named with --event-type, it
    /// is decoded as sent, the buffer up to the cut and the members after it left out rather than shown as zeros.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARecordCutInsideAMiddleBuffer_IsDecodedWhenItsStructIsNamed(bool named)
    {
        TestKernel.RequireRoot();
        string obj = Compiled("cut", CutInTheMiddleSource);
        string[] args = named ? ["run", obj, "--duration", "1.5", "--json", "--event-type", "event"] : ["run", obj, "--duration", "1.5", "--json"];
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached(args);
        using (p)
        {
            File.ReadAllText("/etc/hostname");
            Assert.True(p.WaitForExit(60_000));
            var records = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.TryGetProperty("map", out var m) && m.GetString() == "events").ToList();
            Assert.NotEmpty(records);
            if (!named)
            {
                Assert.All(records, l => Assert.False(l.TryGetProperty("event", out _), l.ToString()));
                var hint = HexHint().Match(stderr.ToString());
                Assert.True(hint.Success, stderr.ToString());
                Assert.Equal("12", hint.Groups[1].Value);
                Assert.Contains("event (88 bytes) do not fit", hint.Groups[2].Value);
                return;
            }
            var ours = records.Select(l => l.GetProperty("event")).Where(e => e.GetProperty("pid").GetInt32() == Environment.ProcessId).ToList();
            Assert.True(ours.Count > 0, string.Join("\n", records));
            foreach (var e in ours)
            {
                Assert.Equal(["pid", "len", "buf"], e.EnumerateObject().Select(m => m.Name));
                Assert.Equal(6, e.GetProperty("len").GetInt32());
                Assert.Equal("hello", e.GetProperty("buf").GetString());
            }
        }
    }

    private const string ConfiguredByUserSpaceSource = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        char LICENSE[] SEC("license") = "GPL";
        /* As ksnoop: the program records only what user space put in its maps after load. */
        enum mode { MODE_OFF = 0, MODE_ON = 3 };
        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } config SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, enum mode); } percpu SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096 * 4); } events SEC(".maps");
        struct event { __u32 pid; enum mode mode; __u64 value; };
        /* The tools' way of putting the record's struct in the object's BTF. */
        struct event *unused_event __attribute__((unused));
        SEC("tracepoint/syscalls/sys_enter_openat")
        int on_openat(void *ctx)
        {
            __u32 key = 7, zero = 0;
            __u64 *value = bpf_map_lookup_elem(&config, &key);
            enum mode *mode = bpf_map_lookup_elem(&percpu, &zero);
            struct event *e;
            if (!value || !mode)
                return 0;
            e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
            if (!e)
                return 0;
            e->pid = bpf_get_current_pid_tgid() >> 32;
            e->mode = *mode;
            e->value = *value;
            bpf_ringbuf_submit(e, 0);
            return 0;
        }
        """;

    /// <summary>
    /// --map-entry writes what a tool's user space would after load and before attach: the program sees the hash
    /// map's element and, on whichever CPU it runs, the per-CPU map's (given by its enumerator's name); without
    /// them it sends nothing. A map the object lacks is refused with the names it has.
    /// </summary>
    [Fact]
    public void MapEntriesAreWrittenBeforeTheProgramsRun()
    {
        TestKernel.RequireRoot();
        string obj = Compiled("config", ConfiguredByUserSpaceSource);

        List<JsonElement> Ours(params string[] entries)
        {
            var (p, _, stdout, stderr) = BpfSharpTool.StartAttached(["run", obj, "--duration", "1.5", "--json", .. entries]);
            using (p)
            {
                for (int i = 0; i < 3; i++) File.ReadAllText("/etc/hostname");
                Assert.True(p.WaitForExit(60_000));
                Assert.True(p.ExitCode == 0, stderr.ToString());
                return [.. stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                    .Where(l => l.TryGetProperty("event", out var e) && e.GetProperty("pid").GetInt32() == Environment.ProcessId)
                    .Select(l => l.GetProperty("event"))];
            }
        }

        Assert.Empty(Ours());
        var events = Ours("--map-entry", "config:7=0x1234", "--map-entry", "percpu:0=MODE_ON");
        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            Assert.Equal(0x1234UL, e.GetProperty("value").GetUInt64());
            Assert.Equal("MODE_ON", e.GetProperty("mode").GetString());
        });

        var wrong = BpfSharpTool.Run("run", obj, "--duration", "1", "--map-entry", "nosuch:1=2");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("--map-entry nosuch: config has no map nosuch (it has config, percpu, events", wrong.Stderr);
        var malformed = BpfSharpTool.Run("run", obj, "--duration", "1", "--map-entry", "config=1");
        Assert.Contains("--map-entry config=1: expected NAME:KEY=VALUE", malformed.Stderr);
    }

    private const string CountedByStackSource = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        char LICENSE[] SEC("license") = "GPL";
        /* As klockstat's stat_map: counts keyed by the stack id itself, a bare 32-bit integer. */
        struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 64); __uint(key_size, 4); __uint(value_size, 127 * 8); } stacks SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __s32); __type(value, __u64); } by_stack SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u64); __type(value, __u64); } wide SEC(".maps");
        SEC("tracepoint/syscalls/sys_enter_openat")
        int on_openat(void *ctx)
        {
            __s32 id = bpf_get_stackid(ctx, &stacks, 0);
            __u64 one = 1, *n;
            if (id < 0)
                return 0;
            n = bpf_map_lookup_elem(&by_stack, &id);
            if (n)
                __sync_fetch_and_add(n, 1);
            else
                bpf_map_update_elem(&by_stack, &id, &one, BPF_ANY);
            return 0;
        }
        """;

    /// <summary>
    /// A map keyed by a bare stack id says nothing of it in its types: without --stack-keys its keys are numbers;
    /// with it, each entry shows its kernel stack, symbolised (an openat's passes through do_syscall_64). A map
    /// the object lacks, or whose key is not 32 bits, is refused.
    /// </summary>
    [Fact]
    public void StackKeysShowTheStacksOfAMapKeyedByBareIds()
    {
        TestKernel.RequireRoot();
        string obj = Compiled("bystack", CountedByStackSource);

        JsonElement Entries(params string[] extra)
        {
            var (p, _, stdout, stderr) = BpfSharpTool.StartAttached(["run", obj, "--duration", "1.5", "--json", .. extra]);
            using (p)
            {
                File.ReadAllText("/etc/hostname");
                Assert.True(p.WaitForExit(60_000));
                Assert.True(p.ExitCode == 0, stderr.ToString());
                return stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                    .Last(l => l.TryGetProperty("maps", out _)).GetProperty("maps").GetProperty("by_stack");
            }
        }

        Assert.All(Entries().EnumerateArray(), e => Assert.False(e.TryGetProperty("stacks", out _), e.ToString()));
        var named = Entries("--stack-keys", "by_stack").EnumerateArray().ToList();
        Assert.NotEmpty(named);
        var symbols = named.SelectMany(e => e.GetProperty("stacks").GetProperty("stack").EnumerateArray())
            .Where(f => f.TryGetProperty("symbol", out _)).Select(f => f.GetProperty("symbol").GetString()).ToHashSet();
        Assert.Contains("do_syscall_64", symbols);

        var nosuch = BpfSharpTool.Run("run", obj, "--duration", "1", "--stack-keys", "nosuch");
        Assert.Contains("--stack-keys nosuch: bystack has no map nosuch (it has stacks, by_stack, wide", nosuch.Stderr);
        var wide = BpfSharpTool.Run("run", obj, "--duration", "1", "--stack-keys", "wide");
        Assert.Contains("--stack-keys wide: its key is 8 bytes, not a 32-bit stack id", wide.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SeveralDeclaredStructsAreNotChosenBySize(bool oneNamedEvent)
    {
        TestKernel.RequireRoot();
        string obj = Extracted("opensnoop");
        // opensnoop's record (struct event of its header) and a helper of exactly its size: only a name tells them apart.
        const string record = "{ __u64 ts; pid_t pid; uid_t uid; int ret; int flags; __u64 callers[2]; char comm[16]; char fname[255]; }";
        string types = $"struct {(oneNamedEvent ? "event" : "open_record")} {record}; struct lookalike {record};";
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", obj, "--duration", "1.5", "--json", "--types", types);
        using (p)
        {
            File.ReadAllText("/etc/hostname");
            Assert.True(p.WaitForExit(60_000));
            var records = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.TryGetProperty("map", out _)).ToList();
            Assert.NotEmpty(records);
            if (oneNamedEvent)
            {
                Assert.All(records, l => Assert.Equal("event", l.GetProperty("type").GetString()));
                return;
            }
            Assert.All(records, l => Assert.False(l.TryGetProperty("event", out _), l.ToString()));
            Assert.Contains("--types declares open_record, lookalike, none named events or event: --event-type NAME chooses", stderr.ToString());
        }
    }

    [Fact]
    public void ExecsnoopRecordsAreItsOwnStructEventCutAfterTheArguments()
    {
        TestKernel.RequireRoot();
        string obj = Extracted("execsnoop");
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", obj, "--duration", "1.5", "--json");
        using (p)
        {
            var child = System.Diagnostics.Process.Start("/bin/true")!;
            child.WaitForExit();
            Assert.True(p.WaitForExit(60_000));
            Assert.True(p.ExitCode == 0, stderr.ToString());
            // The object's BTF also holds hundreds of kernel structs (task_struct and all it reaches): none is taken.
            var records = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.TryGetProperty("map", out _)).ToList();
            Assert.Contains(records, l => l.GetProperty("event").GetProperty("pid").GetInt32() == child.Id);
            Assert.All(records, l => Assert.Equal("event", l.GetProperty("type").GetString()));
            Assert.Contains("map cgroup_map (cgroup_array) is not shown", stderr.ToString());
        }
    }

    [Fact]
    public void UserStacksOfAnExitedProcessAreAddressesWithANote()
    {
        TestKernel.RequireRoot();
        string obj = Extracted("offcputime");
        string python = TestKernel.RequireTool("python3");
        var psi = new System.Diagnostics.ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-c", "import sys, time\nsys.stdin.readline()\nfor _ in range(10): time.sleep(0.02)"]) psi.ArgumentList.Add(a);
        using var child = System.Diagnostics.Process.Start(psi)!;
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", obj, "--duration", "2", "--json", "--map-size", "stackmap=1024", "--set", $"targ_tgid={child.Id}");
        using (p)
        {
            // The process sleeps, then exits before the maps are shown: its mappings are gone.
            child.StandardInput.WriteLine("go");
            child.StandardInput.Close();
            Assert.True(child.WaitForExit(20_000));
            Assert.True(p.WaitForExit(60_000));
            Assert.True(p.ExitCode == 0, stderr.ToString());
            var info = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Last(l => l.TryGetProperty("maps", out _)).GetProperty("maps").GetProperty("info").EnumerateArray()
                .Where(e => e.GetProperty("key").GetProperty("tgid").GetInt32() == child.Id).ToList();
            var sleeps = info.Where(e => e.GetProperty("stacks").GetProperty("kern_stack_id").EnumerateArray()
                .Any(f => f.TryGetProperty("symbol", out var s) && s.GetString() == "do_nanosleep")).ToList();
            Assert.NotEmpty(sleeps);
            // Kernel frames are still named; user frames are the addresses the kernel recorded, unnamed.
            Assert.All(sleeps, e => Assert.All(e.GetProperty("stacks").GetProperty("user_stack_id").EnumerateArray(), f =>
            {
                Assert.False(f.TryGetProperty("symbol", out _), f.ToString());
                Assert.StartsWith("0x", f.GetProperty("address").GetString());
            }));
            Assert.Contains($"user stack addresses of pid {child.Id} are shown unnamed: the process has exited", stderr.ToString());
        }
    }

    [Fact]
    public void OneProgramPerEventUnlessNamed()
    {
        TestKernel.RequireRoot();
        string obj = Extracted("runqlat");
        var r = BpfSharpTool.Ok("run", obj, "--duration", "0.2");
        var attached = r.Stderr.Split('\n').Where(l => l.StartsWith("bpfsharp: attached ", StringComparison.Ordinal) && l.Contains("link ")).ToList();
        Assert.Equal(3, attached.Count);
        Assert.All(attached, l => Assert.Contains("(tp_btf/", l));
        Assert.Contains("alternative programs not loaded: handle_sched_wakeup, handle_sched_wakeup_new, handle_sched_switch", r.Stderr);

        var named = BpfSharpTool.Ok("run", obj, "--duration", "0.2", "--program", "handle_sched_switch");
        Assert.Single(named.Stderr.Split('\n'), l => l.StartsWith("bpfsharp: attached handle_sched_switch (raw_tp/sched_switch)", StringComparison.Ordinal));
        var without = BpfSharpTool.Ok("run", obj, "--duration", "0.2", "--no-program", "sched_switch");
        Assert.Contains("attached handle_sched_switch (raw_tp/sched_switch)", without.Stderr);
        Assert.DoesNotContain("attached sched_switch ", without.Stderr);
    }

    [Fact]
    public void MapSizeAndSetApplyBeforeLoad()
    {
        TestKernel.RequireRoot();
        string obj = Extracted("execsnoop");
        using var pins = new TempBpfFsDir();
        BpfSharpTool.Ok("run", obj, "--duration", "0", "--map-size", "execs=123", "--set", "max_args=5", "--pin", pins.Path, "--keep");
        try
        {
            var execs = TestKernel.Bpftool(null, "map", "show", "pinned", Path.Combine(pins.Path, "maps", "execs"));
            Assert.Equal(123, execs.GetProperty("max_entries").GetInt32());
            var rodata = BpfSharpTool.Ok("map", "dump", Path.Combine(pins.Path, "maps", "execsnoo_rodata"), "--json").Json;
            Assert.Equal(5, rodata[0].GetProperty("value").GetProperty("max_args").GetInt32());
        }
        finally { BpfSharpTool.Ok("unload", pins.Path); }
    }

    [Fact]
    public void SettingsNameWhatTheObjectHas()
    {
        TestKernel.RequireRoot();
        string obj = Extracted("execsnoop");
        var unknown = BpfSharpTool.Run("run", obj, "--set", "nosuch=1");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("has no global variable nosuch (it has ", unknown.Stderr);
        Assert.Contains("max_args", unknown.Stderr);
        var notInt = BpfSharpTool.Run("run", obj, "--set", "ignore_failed=maybe");
        Assert.Contains("ignore_failed is a bool", notInt.Stderr);
        var noMap = BpfSharpTool.Run("run", obj, "--map-size", "nosuch=3");
        Assert.Contains("has no map nosuch", noMap.Stderr);
        var unsized = BpfSharpTool.Run("run", Extracted("cpudist"), "--duration", "0");
        Assert.Contains("cpudist leaves the size of start, hists to its user space (max_entries 0): give each with --map-size NAME=N", unsized.Stderr);
        var badTypes = BpfSharpTool.Run("run", obj, "--types", "struct broken { int x }");
        Assert.NotEqual(0, badTypes.ExitCode);
        Assert.Contains("clang could not compile the declarations", badTypes.Stderr);
    }
}
