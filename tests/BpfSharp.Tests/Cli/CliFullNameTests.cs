using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// A program name longer than the kernel's 15 characters, as bpftool 7.1 shows and selects it: the full name from the
/// program's BTF (execsnoop's <c>tracepoint__syscalls__sys_enter_execve</c>), never the cut one.
/// </summary>
public sealed class CliFullNameTests
{
    private const string Program = "tracepoint__syscalls__sys_enter_execve";

    [Fact]
    public void ALongName_IsShownAndSelectedWhole_AsBpftoolDoes()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        string execsnoop = TestKernel.RequireTool("execsnoop");
        using var dir = new TempBpfFsDir();
        string extracted = Directory.CreateTempSubdirectory("bsx-fullname-").FullName;
        try
        {
            BpfSharpTool.Ok("object", "extract", execsnoop, "-o", extracted);
            TestKernel.Run("bpftool", "prog", "loadall", Path.Combine(extracted, "execsnoop.bpf.o"), dir.Path);
            var theirs = TestKernel.Bpftool(null, "prog", "show", "name", Program);
            var ours = BpfSharpTool.Ok("-j", "prog", "show", "name", Program).Json;
            uint id = theirs.GetProperty("id").GetUInt32();
            // One program: bpftool 7.1 answers with the object; several with a list (other loads of execsnoop).
            var mine = ours.ValueKind == JsonValueKind.Array ? ours.EnumerateArray().Single(p => p.GetProperty("id").GetUInt32() == id) : ours;
            Assert.Equal(Program, theirs.GetProperty("name").GetString());
            Assert.Equal(Program, mine.GetProperty("name").GetString());
            Assert.Matches($@"\bname:\s+{Program}\n", BpfSharpTool.Ok("prog", "show", "id", id.ToString()).Stdout);
            // The kernel's 15 characters select nothing in either.
            Assert.NotEqual(0, BpfSharpTool.Run("prog", "show", "name", Program[..15]).ExitCode);
            var cut = BpfSharpTool.RunProcess(new System.Diagnostics.ProcessStartInfo("bpftool", ["-j", "prog", "show", "name", Program[..15]]), 60, "bpftool");
            Assert.NotEqual(0, cut.ExitCode);
        }
        finally
        {
            Directory.Delete(extracted, recursive: true);
        }
    }
}
