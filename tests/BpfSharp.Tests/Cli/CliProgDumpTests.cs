using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp prog dump</c>: the translated instructions of the examples' programs, line for line what bpftool's
/// <c>prog dump xlated</c> prints once the two dialects are aligned (bpftool writes <c>goto pc+3</c>, a helper's
/// address after its name and source lines from BTF; BpfSharp marks 64-bit constants with llvm's <c>ll</c>).
/// </summary>
public sealed partial class CliProgDumpTests
{
    [Theory]
    [InlineData("pktcount.bpf.o")]
    [InlineData("execsnoop.bpf.o")]
    [InlineData("opensnoop.bpf.o")]
    public void Dump_IsWhatBpftoolPrints(string example)
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var obj = BpfObject.Open(BpfSharpTool.Example(example));
        obj.Load();
        foreach (var p in obj.Programs.Values.Where(p => p.Program is not null))
        {
            uint id = p.Program!.Id;
            var ours = BpfSharpTool.Ok("prog", "dump", id.ToString()).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var theirs = TestKernel.Run(bpftool, "prog", "dump", "xlated", "id", id.ToString())
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => Instruction().IsMatch(l))
                .Select(l => HelperAddress().Replace(Instruction().Match(l).Groups[1].Value.Replace("goto pc", "goto "), ""))
                .ToArray();
            Assert.True(theirs.Length > 5, $"bpftool printed no instructions for {p.Name}");
            Assert.Equal(theirs, ours.Select(l => l.EndsWith(" ll", StringComparison.Ordinal) ? l[..^3] : l));
            Assert.Contains(ours, l => l.Contains("call ", StringComparison.Ordinal) && !char.IsDigit(l[^1])); // helpers named

            var json = BpfSharpTool.Ok("prog", "dump", id.ToString(), "--json").Json;
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

    [GeneratedRegex(@"#-?\d+$")]
    private static partial Regex HelperAddress();
}
