using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>prog dump</c> of a name or tag that several loaded programs share, beside bpftool 7.1: each dump headed by the
/// program's line (plain) or object (JSON), byte for byte; a file, the graph or the old dialect refuses several
/// programs. The graph of one program through the tool.
/// </summary>
public sealed class CliProgDumpSeveralTests
{
    [Fact]
    public void NameOrTagOfSeveralPrograms_DumpsEachWithBpftoolsHeaders()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        // The same object loaded twice: two programs of each name, with the same tag.
        using var first = BpfObject.Open(BpfSharpTool.Fixture("subprogs.bpf.o"));
        first.Load();
        using var second = BpfObject.Open(BpfSharpTool.Fixture("subprogs.bpf.o"));
        second.Load();
        var program = first.Programs["for_each_sum"].Program!;
        string tag = program.GetInfo().Tag;
        foreach (string[] selector in new[] { new[] { "name", "for_each_sum" }, ["tag", tag] })
        {
            foreach (string[] form in new[] { Array.Empty<string>(), ["-j"], ["-p"] })
            {
                foreach (string[] keyword in new[] { Array.Empty<string>(), ["linum"], ["opcodes"] })
                {
                    string[] args = [.. form, "prog", "dump", "xlated", .. selector, .. keyword];
                    string theirs = TestKernel.Run("bpftool", args);
                    var ours = BpfSharpTool.Ok(args);
                    Assert.True(theirs == ours.Stdout, $"bpftool {string.Join(' ', args)}:\n{theirs}\nbpfsharp:\n{ours.Stdout}");
                }
            }
        }
        string plain = BpfSharpTool.Ok("prog", "dump", "xlated", "name", "for_each_sum").Stdout;
        Assert.Contains($"{program.Id}: sched_cls  name for_each_sum  tag {tag}  gpl\n", plain);
        Assert.Contains($"{second.Programs["for_each_sum"].Program!.Id}: sched_cls  name for_each_sum  tag {tag}  gpl\n", plain);

        string file = Path.Combine(Path.GetTempPath(), $"bsx-several-{Guid.NewGuid():N}");
        var refused = BpfSharpTool.Run("prog", "dump", "xlated", "name", "for_each_sum", "file", file);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("several programs matched", refused.Stderr);
        Assert.False(File.Exists(file));
        Assert.Contains("several programs matched", BpfSharpTool.Run("prog", "dump", "xlated", "name", "for_each_sum", "visual").Stderr);

        // One program's control flow graph through the tool: bpftool's DOT text; with -j, bpftool's null.
        string id = program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TestKernel.Run("bpftool", "prog", "dump", "xlated", "id", id, "visual"), BpfSharpTool.Ok("prog", "dump", "xlated", "id", id, "visual").Stdout);
        Assert.Equal("null\n", BpfSharpTool.Ok("-j", "prog", "dump", "xlated", "id", id, "visual").Stdout);
    }
}
