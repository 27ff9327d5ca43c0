using System.Text.Json;
using BpfSharp.Asm;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Cli;

/// <summary><c>cgroup show</c> and <c>cgroup tree</c> field by field with bpftool's, on programs bpftool attached.</summary>
public sealed class CliCgroupTests
{
    [Fact]
    public void ShowAndTreeMatchBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var cgroup = new TestCgroup();
        using var ingress = BpfProgram.Load(BpfProgramType.CgroupSkb, new BpfAssembler().Mov64(R0, 1).Exit().Build(),
            new BpfProgramLoadOptions { Name = "h_tool_cg_in", ExpectedAttachType = BpfAttachType.CgroupInetIngress });
        using var egress = BpfProgram.Load(BpfProgramType.CgroupSkb, new BpfAssembler().Mov64(R0, 1).Exit().Build(),
            new BpfProgramLoadOptions { Name = "h_tool_cg_out", ExpectedAttachType = BpfAttachType.CgroupInetEgress });
        // bpftool attaches (so the test does not lean on the library's attach API): one multi, one override.
        TestKernel.Run(bpftool, "cgroup", "attach", cgroup.Path, "ingress", "id", ingress.Id.ToString(), "multi");
        TestKernel.Run(bpftool, "cgroup", "attach", cgroup.Path, "egress", "id", egress.Id.ToString(), "override");

        var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "cgroup", "show", cgroup.Path)).RootElement;
        var ours = BpfSharpTool.Ok("-j", "cgroup", "show", cgroup.Path).Json;
        Assert.Equal(2, theirs.GetArrayLength());
        AssertSamePrograms(theirs, ours);

        var theirTree = JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "cgroup", "tree", TestCgroup.Root)).RootElement
            .EnumerateArray().Single(c => c.GetProperty("cgroup").GetString() == cgroup.Path);
        var ourTree = BpfSharpTool.Ok("cgroup", "tree", TestCgroup.Root, "-j").Json
            .EnumerateArray().Single(c => c.GetProperty("cgroup").GetString() == cgroup.Path);
        AssertSamePrograms(theirTree.GetProperty("programs"), ourTree.GetProperty("programs"));

        var text = BpfSharpTool.Ok("cgroup", "show", cgroup.Path).Stdout;
        Assert.Contains(text.Split('\n'), l => l.Contains("h_tool_cg_in") && l.Contains("multi"));
        var missing = BpfSharpTool.Run("cgroup", "show", cgroup.Path + "-nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such cgroup", missing.Stderr);
    }

    private static void AssertSamePrograms(JsonElement theirs, JsonElement ours)
    {
        Assert.Equal(theirs.GetArrayLength(), ours.GetArrayLength());
        foreach (var t in theirs.EnumerateArray())
        {
            var o = ours.EnumerateArray().Single(p => p.GetProperty("id").GetUInt32() == t.GetProperty("id").GetUInt32());
            foreach (var field in t.EnumerateObject())
            {
                Assert.True(o.TryGetProperty(field.Name, out var mine), $"bpfsharp has no '{field.Name}' in {o}");
                Assert.True(field.Value.ToString() == mine.ToString(), $"{field.Name}: bpftool {field.Value}, bpfsharp {mine}");
            }
        }
    }
}
