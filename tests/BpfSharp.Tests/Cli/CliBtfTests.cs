using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp btf dump</c>: the running kernel's BTF as a C header clang-19 compiles into a BPF object.</summary>
public sealed class CliBtfTests
{
    private const string Program = """
        #include "vmlinux.h"

        /* Uses kernel types through the header: a struct read with CO-RE, an enum, a typedef. */
        struct {
            int type;
            int max_entries;
        } unused_map_def;

        __attribute__((section("tp_btf/sched_process_exec"), used))
        int on_exec(unsigned long long *ctx)
        {
            struct task_struct *task = (struct task_struct *)ctx[0];
            enum bpf_map_type t = BPF_MAP_TYPE_RINGBUF;
            __u32 pid = __builtin_preserve_access_index(task->tgid);
            return pid + t;
        }

        char LICENSE[] __attribute__((section("license"), used)) = "GPL";
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
            TestKernel.Run(clang, "-g", "-O2", "-target", "bpf", "-Werror", "-c", Path.Combine(dir, "prog.bpf.c"), "-o", Path.Combine(dir, "prog.bpf.o"));
            using var obj = BpfObject.Open(Path.Combine(dir, "prog.bpf.o"));
            Assert.Contains("on_exec", obj.Programs.Keys);
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
