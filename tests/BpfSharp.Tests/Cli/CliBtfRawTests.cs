using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>btf dump --format raw</c> byte for byte as bpftool 7.1 prints <c>format raw</c>: an object's BTF, a loaded BTF object and the kernel's.</summary>
public sealed class CliBtfRawTests
{
    [Theory]
    [InlineData("btf_kinds.bpf.o")] // every kind: ENUM64, DECL_TAG, TYPE_TAG, FLOAT, DATASEC...
    [InlineData("globals.bpf.o")]
    [InlineData("core_anon.bpf.o")]
    public void ObjectFile_IsPrintedAsBpftoolPrintsIt(string fixture)
    {
        string bpftool = TestKernel.RequireTool("bpftool");
        string file = BpfSharpTool.Fixture(fixture);
        Assert.Equal(TestKernel.Run(bpftool, "btf", "dump", "file", file, "format", "raw"), BpfSharpTool.Ok("btf", "dump", file, "--format", "raw").Stdout);
    }

    [Fact]
    public void KernelAndLoadedBtf_ArePrintedAsBpftoolPrintsThem()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Assert.Skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)");
        string theirs = TestKernel.Run(bpftool, "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw");
        string ours = BpfSharpTool.Ok("btf", "dump", "--vmlinux", "--format", "raw").Stdout;
        Assert.True(theirs == ours, FirstDifference(theirs, ours));

        using var obj = BpfObject.Open(BpfSharpTool.Fixture("btf_kinds.bpf.o"));
        obj.Load();
        uint btfId = obj.Programs.Values.First(p => p.Program is not null).Program!.GetInfo().BtfId;
        Assert.NotEqual(0u, btfId);
        theirs = TestKernel.Run(bpftool, "btf", "dump", "id", btfId.ToString(), "format", "raw");
        ours = BpfSharpTool.Ok("btf", "dump", "--id", btfId.ToString(), "--format", "raw").Stdout;
        Assert.True(theirs == ours, FirstDifference(theirs, ours));
    }

    private static string FirstDifference(string theirs, string ours)
    {
        var (t, o) = (theirs.Split('\n'), ours.Split('\n'));
        for (int i = 0; i < Math.Min(t.Length, o.Length); i++)
            if (t[i] != o[i]) return $"line {i + 1}: bpftool '{t[i]}', bpfsharp '{o[i]}'";
        return $"bpftool {t.Length} lines, bpfsharp {o.Length}";
    }
}
