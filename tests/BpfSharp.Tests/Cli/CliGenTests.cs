namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp gen skeleton</c>: the generator's output for users without MSBuild.</summary>
public sealed class CliGenTests
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Skeleton", "Fixtures", "layout.bpf.o");

    [Fact]
    public void GenSkeletonPrintsTheGeneratorsCode()
    {
        var r = BpfSharpTool.Ok("gen", "skeleton", Fixture, "--namespace", "Golden", "--type", "record");
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Skeleton", "Fixtures", "layout.g.cs")), r.Stdout);
    }

    [Fact]
    public void GenSkeletonWritesTheClassNameAskedFor()
    {
        string output = Path.Combine(Path.GetTempPath(), $"bpfsharp-gen-{Environment.ProcessId}-{Guid.NewGuid():N}.cs");
        try
        {
            BpfSharpTool.Ok("gen", "skeleton", Fixture, "--class", "Probe", "-o", output);
            Assert.Contains("public sealed partial class Probe ", File.ReadAllText(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void UnknownTypeFailsWithItsDiagnosticId()
    {
        var r = BpfSharpTool.Run("gen", "skeleton", Fixture, "--type", "no_such_type");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("BPFSKEL001", r.Stderr);
        Assert.Contains("no_such_type", r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
