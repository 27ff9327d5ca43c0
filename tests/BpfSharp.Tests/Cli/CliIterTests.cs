using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>iter pin</c> beside bpftool 7.1's: the same iterator object pinned by both, the links compared, the pin read.</summary>
public sealed class CliIterTests
{
    // An iterator over the system's maps that prints nothing: enough to attach, pin and run.
    private const string Source = """
        typedef unsigned long long u64;
        struct bpf_iter_meta { void *seq; u64 session_id; u64 seq_num; } __attribute__((preserve_access_index));
        struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; void *map; } __attribute__((preserve_access_index));
        __attribute__((section("iter/bpf_map"), used)) int verbs_iter(struct bpf_iter__bpf_map *ctx) { return 0; }
        char LICENSE[] __attribute__((section("license"), used)) = "GPL";
        """;

    [Fact]
    public void IterPin_PinsTheFirstProgramsIteratorLink_AsBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        string clang = TestKernel.RequireTool("clang-19");
        string work = Directory.CreateTempSubdirectory("bpfsharp-verbs-iter-").FullName;
        string pins = $"/sys/fs/bpf/verbs-{Guid.NewGuid():N}"[..30];
        Directory.CreateDirectory(pins);
        try
        {
            File.WriteAllText(Path.Combine(work, "iter.bpf.c"), Source);
            string obj = Path.Combine(work, "iter.bpf.o");
            TestKernel.Run(clang, "-g", "-O2", "-target", "bpf", "-c", Path.Combine(work, "iter.bpf.c"), "-o", obj);
            TestKernel.Run(bpftool, "iter", "pin", obj, pins + "/theirs");
            var r = BpfSharpTool.Ok("-j", "iter", "pin", obj, pins + "/ours");
            Assert.Equal("null", r.Stdout.Trim());

            JsonElement Link(string name) => TestKernel.Bpftool(null, "link", "show", "pinned", Path.Combine(pins, name));
            var (theirs, ours) = (Link("theirs"), Link("ours"));
            foreach (var field in theirs.EnumerateObject().Where(f => f.Name is not ("id" or "prog_id")))
                Assert.True(ours.TryGetProperty(field.Name, out var mine) && mine.ToString() == field.Value.ToString(), $"{field.Name}: bpftool {field.Value}, bpfsharp {ours}");
            Assert.Equal("iter", ours.GetProperty("type").GetString());
            Assert.Equal("verbs_iter", TestKernel.Bpftool(null, "prog", "show", "id", ours.GetProperty("prog_id").ToString()).GetProperty("name").GetString());
            Assert.Equal("", File.ReadAllText(pins + "/ours")); // reading the pin runs the iterator (it prints nothing)

            var badMap = BpfSharpTool.Run("iter", "pin", obj, pins + "/bad", "map");
            Assert.Equal(1, badMap.ExitCode);
            Assert.Contains("incorrect map spec", badMap.Stderr);
        }
        finally
        {
            Directory.Delete(pins, recursive: true);
            Directory.Delete(work, recursive: true);
        }
    }
}
