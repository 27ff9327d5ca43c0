using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp prog dump --dialect bpfsharp</c>: the translated instructions of the examples' programs, line for line
/// what bpftool's <c>prog dump xlated</c> prints once the two dialects are aligned (bpftool writes <c>goto pc+3</c> and
/// <c>subprog[+7]</c>, a helper's address after its name, and source lines from BTF; BpfSharp marks 64-bit
/// constants with llvm's <c>ll</c>). Helpers and subprograms are named in both. The default dialect is bpftool's
/// own, compared with no normalisation in <see cref="CliProgDumpBpftoolTests"/>.
/// </summary>
public sealed partial class CliProgDumpTests
{
    [Theory]
    [InlineData("Examples/pktcount.bpf.o")]
    [InlineData("Examples/execsnoop.bpf.o")]
    [InlineData("Examples/opensnoop.bpf.o")]
    [InlineData("Objects/Fixtures/subprogs.bpf.o")]   // calls into the program, callbacks (bpf_loop, for_each)
    [InlineData("Objects/Fixtures/tail_calls.bpf.o")] // bpf_tail_call, which the kernel rewrites
    public void Dump_IsWhatBpftoolPrints(string objectFile)
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, objectFile));
        obj.Load();
        foreach (var p in obj.Programs.Values.Where(p => p.Program is not null))
        {
            uint id = p.Program!.Id;
            var ours = BpfSharpTool.Ok("prog", "dump", id.ToString(), "--dialect", "bpfsharp").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var theirs = TestKernel.Run(bpftool, "prog", "dump", "xlated", "id", id.ToString())
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => Instruction().IsMatch(l))
                .Select(l => CallTarget().Replace(Instruction().Match(l).Groups[1].Value.Replace("goto pc", "goto ").Replace("= subprog[", "= func[pc"), ""))
                .ToArray();
            Assert.True(theirs.Length > 0, $"bpftool printed no instructions for {p.Name}");
            Assert.Equal(theirs, ours.Select(l => l.EndsWith(" ll", StringComparison.Ordinal) ? l[..^3] : l));

            var json = BpfSharpTool.Ok("prog", "dump", id.ToString(), "--dialect", "bpfsharp", "--json").Json;
            Assert.Equal(ours.Length, json.GetArrayLength());
            Assert.Equal(ours[^1], $"{json[json.GetArrayLength() - 1].GetProperty("pc").GetInt32()}: {json[json.GetArrayLength() - 1].GetProperty("disasm").GetString()}");
        }
    }

    [Fact]
    public void Dump_OfAMissingProgram_FailsNamingIt()
    {
        TestKernel.RequireRoot();
        var r = BpfSharpTool.Run("prog", "dump", "4000000000");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("4000000000", r.Stderr);
    }

    // "  12: (85) call bpf_probe_read_kernel#-57856" -> "12: (85) call bpf_probe_read_kernel#-57856"
    [GeneratedRegex(@"^\s*(\d+: \(.*)$")]
    private static partial Regex Instruction();

    // "call bpf_probe_read_kernel#-57856": the helper's address (bpfsharp names a subprogram after '#' as bpftool does).
    [GeneratedRegex(@"#-?\d+$")]
    private static partial Regex CallTarget();
}
