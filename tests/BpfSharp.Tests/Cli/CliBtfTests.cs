using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp btf dump</c>: the running kernel's BTF as a C header clang-19 compiles into a BPF object.</summary>
public sealed class CliBtfTests
{
    /// <summary>How programs use a vmlinux.h: with libbpf's headers, CO-RE reads, BPF_KPROBE and BPF_PROG.</summary>
    private const string Program = """
        #include "vmlinux.h"
        #include <bpf/bpf_helpers.h>
        #include <bpf/bpf_tracing.h>
        #include <bpf/bpf_core_read.h>

        struct {
            __uint(type, BPF_MAP_TYPE_RINGBUF);
            __uint(max_entries, 4096);
        } rb SEC(".maps");

        SEC("kprobe/do_unlinkat")
        int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
        {
            pid_t pid = bpf_get_current_pid_tgid() >> 32;
            const char *path = BPF_CORE_READ(name, name);
            struct task_struct *task = (void *)bpf_get_current_task();
            bpf_printk("%d %d %s", pid, BPF_CORE_READ(task, real_parent, tgid), path);
            return 0;
        }

        SEC("tp_btf/sched_switch")
        int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
        {
            enum bpf_map_type t = BPF_MAP_TYPE_RINGBUF;
            return prev->pid + next->pid + t;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    [Fact]
    public void VmlinuxHeaderCompilesWithClang()
    {
        string clang = TestKernel.RequireTool("clang-19");
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Assert.Skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)");
        string dir = Directory.CreateTempSubdirectory("bpfsharp-btf-").FullName;
        try
        {
            string header = Path.Combine(dir, "vmlinux.h");
            BpfSharpTool.Ok("btf", "dump", "--vmlinux", "--format", "c", "--output", header);
            File.WriteAllText(Path.Combine(dir, "prog.bpf.c"), Program);
            if (!File.Exists("/usr/include/bpf/bpf_helpers.h")) Assert.Skip("libbpf's headers are not installed (libbpf-dev)");
            string arch = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x86";
            TestKernel.Run(clang, "-g", "-O2", "-target", "bpf", $"-D__TARGET_ARCH_{arch}", "-Wall", "-Werror", "-c", Path.Combine(dir, "prog.bpf.c"), "-o", Path.Combine(dir, "prog.bpf.o"));
            using var obj = BpfObject.Open(Path.Combine(dir, "prog.bpf.o"));
            Assert.Equal(["on_switch", "on_unlink"], obj.Programs.Keys.Order());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void StructSizesInTheHeaderAreTheKernels()
    {
        string clang = TestKernel.RequireTool("clang-19");
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Assert.Skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)");
        var kernel = BpfSharp.Btf.BtfSpec.LoadKernel();
        string dir = Directory.CreateTempSubdirectory("bpfsharp-btf-").FullName;
        try
        {
            string header = Path.Combine(dir, "vmlinux.h");
            BpfSharpTool.Ok("btf", "dump", "--vmlinux", "-o", header);
            // clang lays the structs out from the header: their sizes must be the kernel's.
            var asserts = new List<string> { "#include \"vmlinux.h\"" };
            foreach (var name in new[] { "task_struct", "sk_buff", "bpf_map_info", "bpf_prog_info", "file", "inode", "trace_entry", "pt_regs", "xdp_md", "bpf_attr" })
            {
                if (!kernel.TryFindByName(name, BpfSharp.Btf.BtfKind.Struct, out var t) && !kernel.TryFindByName(name, BpfSharp.Btf.BtfKind.Union, out t)) continue;
                string keyword = t is BpfSharp.Btf.BtfUnion ? "union" : "struct";
                asserts.Add($"_Static_assert(sizeof({keyword} {name}) == {((BpfSharp.Btf.BtfComposite)t).Size}, \"{name}\");");
            }
            File.WriteAllText(Path.Combine(dir, "sizes.c"), string.Join('\n', asserts) + "\n");
            TestKernel.Run(clang, "-O2", "-target", "bpf", "-c", Path.Combine(dir, "sizes.c"), "-o", Path.Combine(dir, "sizes.o"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void JsonOfAnObjectsBtf()
    {
        var r = BpfSharpTool.Ok("btf", "dump", BpfSharpTool.Example("execsnoop.bpf.o"), "--format", "json");
        var ev = r.Json.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("kind").GetString() == "STRUCT" && t.GetProperty("name").GetString() == "event");
        Assert.Equal(["pid", "ppid", "uid", "comm", "filename"], ev.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    /// <summary>Every field bpftool prints for every type (vlen included), compared with <c>bpftool -j btf dump file</c>.</summary>
    [Theory]
    [InlineData("execsnoop.bpf.o")]
    [InlineData("pktcount.bpf.o")]
    public void JsonMatchesBpftoolFieldByField(string example)
    {
        string bpftool = TestKernel.RequireTool("bpftool");
        string file = BpfSharpTool.Example(example);
        var theirs = System.Text.Json.JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "btf", "dump", "file", file)).RootElement.GetProperty("types");
        var ours = BpfSharpTool.Ok("-j", "btf", "dump", file).Json.GetProperty("types"); // -j alone chooses JSON, as in bpftool
        Assert.Equal(theirs.GetArrayLength(), ours.GetArrayLength());
        int vlens = 0;
        foreach (var (t, o) in theirs.EnumerateArray().Zip(ours.EnumerateArray()))
        {
            foreach (var field in t.EnumerateObject())
            {
                Assert.True(o.TryGetProperty(field.Name, out var mine), $"type {t.GetProperty("id")}: bpfsharp has no '{field.Name}' in {o}");
                Assert.True(field.Value.ToString() == mine.ToString(), $"type {t.GetProperty("id")} {field.Name}: bpftool {field.Value}, bpfsharp {mine}");
                if (field.Name == "vlen") vlens++;
            }
        }
        Assert.True(vlens > 3, "the objects have structs, enums, prototypes and sections");
    }

    /// <summary><c>btf list/show</c> field by field with bpftool's: the kernel's BTF, and an object's with its users.</summary>
    [Fact]
    public void ListAndShowMatchBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var dir = new TempBpfFsDir();
        BpfSharpTool.Ok("run", BpfSharpTool.Example("pktcount.bpf.o"), "--duration", "0", "--pin", dir.Path, "--keep");
        try
        {
            uint btfId = BpfSharpTool.Ok("map", "show", Path.Combine(dir.Path, "maps", "counts"), "--json").Json.GetProperty("btf_id").GetUInt32();
            var list = BpfSharpTool.Ok("-j", "btf", "list").Json;
            foreach (uint id in new[] { 1u, btfId })
            {
                var theirs = System.Text.Json.JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "btf", "show", "id", id.ToString())).RootElement;
                var shown = BpfSharpTool.Ok("-j", "btf", "show", "id", id.ToString()).Json;
                var listed = list.EnumerateArray().Single(e => e.GetProperty("id").GetUInt32() == id);
                foreach (var ours in new[] { shown, listed })
                {
                    foreach (var field in theirs.EnumerateObject())
                    {
                        Assert.True(ours.TryGetProperty(field.Name, out var mine), $"btf {id}: bpfsharp has no '{field.Name}' in {ours}");
                        if (field.Value.ValueKind == System.Text.Json.JsonValueKind.Array) // bpftool lists users in hash order
                            Assert.Equal(field.Value.EnumerateArray().Select(e => e.GetUInt32()).Order(), mine.EnumerateArray().Select(e => e.GetUInt32()).Order());
                        else
                            Assert.Equal(field.Value.ToString(), mine.ToString());
                    }
                }
            }
            Assert.Contains("vmlinux", BpfSharpTool.Ok("btf", "show", "1").Stdout);
        }
        finally
        {
            BpfSharpTool.Ok("unload", dir.Path);
        }
    }

    [Fact]
    public void DumpOfAKernelBtfObjectById()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        BpfSharpTool.Ok("run", BpfSharpTool.Example("pktcount.bpf.o"), "--duration", "0", "--pin", dir.Path, "--keep");
        uint btfId = BpfSharpTool.Ok("map", "show", Path.Combine(dir.Path, "maps", "counts"), "--json").Json.GetProperty("btf_id").GetUInt32();
        var c = BpfSharpTool.Ok("btf", "dump", "--id", btfId.ToString()).Stdout;
        Assert.Contains("struct counts {", c);
        Assert.Contains("\tPROTO_TCP = 3,", c);
        BpfSharpTool.Ok("unload", dir.Path);
    }

    [Fact]
    public void OneSourceOnly()
    {
        var r = BpfSharpTool.Run("btf", "dump", "--vmlinux", "--id", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("exactly one of", r.Stderr);
    }
}
