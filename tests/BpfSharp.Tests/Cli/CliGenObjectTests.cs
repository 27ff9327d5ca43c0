using BpfSharp.Loading;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp gen object OUT IN...</c>: the linker behind a verb shaped like <c>bpftool gen object</c>.</summary>
public sealed class CliGenObjectTests
{
    private static string Input(string name) => Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "linker", name);

    [Fact]
    public void GenObjectWritesWhatBpfLinkerLinks()
    {
        string output = Path.Combine(Path.GetTempPath(), $"h-linker-cli-{Environment.ProcessId}-{Guid.NewGuid():N}.o");
        try
        {
            BpfSharpTool.Ok("gen", "object", output, Input("link_a.bpf.o"), Input("link_b.bpf.o"));
            Assert.Equal(BpfLinker.Link([Input("link_a.bpf.o"), Input("link_b.bpf.o")]), File.ReadAllBytes(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void ConflictingDefinitionsFailNamingBothFilesAndWriteNothing()
    {
        string output = Path.Combine(Path.GetTempPath(), $"h-linker-cli-{Environment.ProcessId}-{Guid.NewGuid():N}.o");
        var r = BpfSharpTool.Run("gen", "object", output, Input("link_a.bpf.o"), Input("link_b.bpf.o"), Input("link_dup.bpf.o"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("'twice' is defined in both link_b.bpf.o and link_dup.bpf.o", r.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void AMissingInputIsNamed()
    {
        var r = BpfSharpTool.Run("gen", "object", "/tmp/h-linker-never.o", "/nonexistent/h-linker-in.o");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("/nonexistent/h-linker-in.o", r.Stderr);
    }
}
