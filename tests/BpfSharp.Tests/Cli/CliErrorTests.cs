using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>Failures: one clear line on standard error (the verifier log under it for a load), a non-zero exit.</summary>
public sealed class CliErrorTests
{
    [Theory]
    [InlineData("run")]
    [InlineData("object", "inspect")]
    [InlineData("object", "load")]
    [InlineData("btf", "dump")]
    public void MissingFile(params string[] command)
    {
        string missing = $"/nonexistent/bpfsharp-{Guid.NewGuid():N}.bpf.o";
        var r = BpfSharpTool.Run([.. command, missing]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal($"bpfsharp: {missing}: no such file", r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
    }

    /// <summary>A file that is not what the command parses: the one error line names the file by the path given.</summary>
    [Theory]
    [InlineData("", "shorter than a BTF header")]
    [InlineData("abc", "shorter than a BTF header")]
    [InlineData("root:x:0:0:root:/root:/bin/bash\n", "bad magic")]
    public void BtfDumpOfAFileThatIsNotBtfNamesTheFile(string content, string why)
    {
        string file = Path.Combine(Path.GetTempPath(), $"bpfsharp-helper-notbtf-{Guid.NewGuid():N}");
        File.WriteAllText(file, content);
        try
        {
            var r = BpfSharpTool.Run("btf", "dump", file);
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.StartsWith($"bpfsharp: {file}: ", line);
            Assert.Contains(why, line);
        }
        finally { File.Delete(file); }
    }

    /// <summary>A path outside bpffs cannot be a pin: said so, where the kernel would answer only EACCES or EPERM.</summary>
    [Theory]
    [InlineData("map", "dump")]
    [InlineData("map", "show")]
    [InlineData("prog", "show")]
    [InlineData("link", "show")]
    [InlineData("link", "unpin")]
    public void PathsOutsideBpffsSaySo(params string[] command)
    {
        var r = BpfSharpTool.Run([.. command, "/etc/passwd"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("bpfsharp: /etc/passwd: not in bpffs (pinned objects live on a bpf filesystem such as /sys/fs/bpf)", r.Stderr.Trim());
    }

    [Fact]
    public void PinningOutsideBpffsSaysSo()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 4, 1, new BpfMapCreateOptions { Name = "cli_pinout" });
        string where = Path.Combine(Path.GetTempPath(), $"bpfsharp-helper-pin-{Guid.NewGuid():N}");
        var r = BpfSharpTool.Run("map", "pin", map.Id.ToString(), where);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"bpfsharp: {where}: not in bpffs (pins live on a bpf filesystem such as /sys/fs/bpf)", r.Stderr.Trim());
        Assert.False(File.Exists(where));
    }

    [Fact]
    public void VerifierRejectShowsTheErrorAndTheLog()
    {
        TestKernel.RequireRoot();
        var r = BpfSharpTool.Run("run", BpfSharpTool.Fixture("verifier_reject.bpf.o"), "--program", "bad_packet_read", "--duration", "1");
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipWhile(l => l.Contains("loading", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("bpfsharp: BPF_PROG_LOAD", lines[0]);
        Assert.Contains("EACCES", lines[0]);
        Assert.Contains(lines.Skip(1), l => l.Contains("invalid access to packet", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownProgramNamesTheObjectsPrograms()
    {
        var r = BpfSharpTool.Run("run", BpfSharpTool.Fixture("verifier_reject.bpf.o"), "--program", "nope");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("good_pass", r.Stderr);
    }

    [Fact]
    public void UnknownEventTypeNamesTheObjectsStructs()
    {
        var r = BpfSharpTool.Run("run", BpfSharpTool.Example("execsnoop.bpf.o"), "--event-type", "nope");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("no struct nope", r.Stderr);
        Assert.Contains("event", r.Stderr);
    }

    [Fact]
    public void UnknownIds()
    {
        TestKernel.RequireRoot();
        foreach (var kind in new[] { "prog", "map", "link" })
        {
            var r = BpfSharpTool.Run(kind, "show", "4294967294");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("ENOENT", r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
        }
    }

    [Fact]
    public void UnloadOfADirectoryOutsideBpfFs()
    {
        var r = BpfSharpTool.Run("unload", Path.GetTempPath());
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("not on a BPF filesystem", r.Stderr);
    }

    [Fact]
    public void UsageErrorsExitNonZero()
    {
        var r = BpfSharpTool.Run("map", "lookup");
        Assert.NotEqual(0, r.ExitCode);
    }
}
