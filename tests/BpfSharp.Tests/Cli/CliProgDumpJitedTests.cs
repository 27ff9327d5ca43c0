using System.Globalization;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp prog dump jited</c>. Debian's bpftool 7.1 is built without a disassembler and refuses the command
/// ("No libbfd support"), so each part is checked against another witness: the length against bpftool's
/// <c>bytes_jited</c>, each function's name against <c>/proc/kallsyms</c> and bpftool's tag and name, the split into
/// instructions and their bytes against GNU objdump disassembling the same bytes, and the raw file against all of it.
/// </summary>
public sealed partial class CliProgDumpJitedTests
{
    [Theory]
    [InlineData("Objects/Fixtures/subprogs.bpf.o")]
    [InlineData("Examples/execsnoop.bpf.o")]
    public void Jited_IsTheKernelsCode_SplitAsObjdumpSplitsIt(string objectFile)
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        string objdump = TestKernel.RequireTool("objdump");
        TestKernel.RequireTool("llvm-objdump");
        using var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, objectFile));
        obj.Load();
        string kallsyms = File.ReadAllText("/proc/kallsyms");
        foreach (var p in obj.Programs.Values.Where(p => p.Program is not null))
        {
            string id = p.Program!.Id.ToString(CultureInfo.InvariantCulture);
            var show = TestKernel.Bpftool(null, "prog", "show", "id", id);
            string text = BpfSharpTool.Ok("prog", "dump", "jited", "id", id, "opcodes").Stdout;

            // Functions: "signature:" (optional), "name:", instructions with their bytes, a blank line.
            var functions = text.TrimEnd('\n').Split("\n\n");
            Assert.Equal($"bpf_prog_{show.GetProperty("tag").GetString()}_{show.GetProperty("name").GetString()}", FunctionName(functions[0]));
            var all = new List<byte>();
            foreach (var function in functions)
            {
                string name = FunctionName(function);
                Assert.Matches($@"(?m)^[0-9a-f]+ \S+ {Regex.Escape(name)}\t\[bpf\]$", kallsyms);
                var (offsets, bytes) = Instructions(function);
                Assert.Equal(ObjdumpOffsets(objdump, bytes), offsets);
                all.AddRange(bytes);
            }
            Assert.Equal(show.GetProperty("bytes_jited").GetInt32(), all.Count);

            // The raw image written by "file" is the same bytes, and -j carries the same instructions.
            string file = Path.Combine(Path.GetTempPath(), $"bpfsharp-dump-jited-{Environment.ProcessId}.bin");
            try
            {
                BpfSharpTool.Ok("prog", "dump", "jited", "id", id, "file", file);
                Assert.Equal(all, File.ReadAllBytes(file));
            }
            finally
            {
                File.Delete(file);
            }
            var json = BpfSharpTool.Ok("-j", "prog", "dump", "jited", "id", id, "opcodes").Json;
            Assert.Equal(functions.Length, json.GetArrayLength());
            Assert.Equal(all, json.EnumerateArray().SelectMany(f => f.GetProperty("insns").EnumerateArray())
                .SelectMany(i => i.GetProperty("opcodes").EnumerateArray()).Select(b => Convert.ToByte(b.GetString(), 16)));
        }
    }

    [Fact]
    public void Jited_HasSourceLinesWhereTheProgramHasLineInfo()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("llvm-objdump");
        using var obj = BpfObject.Open(BpfSharpTool.Example("execsnoop.bpf.o"));
        obj.Load();
        string id = obj.Programs.Values.First(p => p.Program is not null).Program!.Id.ToString(CultureInfo.InvariantCulture);
        var lines = BpfSharpTool.Ok("prog", "dump", "jited", "id", id, "linum").Stdout.Split('\n');
        // The program's first source line (its signature's line) comes right after the function's name.
        Assert.Matches(@"^; int handle_exec\(.*\) \[file:.*execsnoop\.bpf\.c line_num:\d+ line_col:\d+\]$", lines[2]);
        Assert.Matches(@"^   0:\t", lines[3]);
    }

    private static string FunctionName(string function) =>
        function.Split('\n').First(l => l.EndsWith(':') && l.StartsWith("bpf_prog_", StringComparison.Ordinal))[..^1];

    // "   4:\tmovq ..." followed by "\t55 48 89 e5 ": each instruction's offset and bytes.
    private static (List<int> Offsets, List<byte> Bytes) Instructions(string function)
    {
        var offsets = new List<int>();
        var bytes = new List<byte>();
        var lines = function.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = InstructionLine().Match(lines[i]);
            if (!m.Success) continue;
            offsets.Add(int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            Assert.Equal(bytes.Count, offsets[^1]);
            bytes.AddRange(lines[++i].Trim().Split(' ').Select(b => Convert.ToByte(b, 16)));
        }
        return (offsets, bytes);
    }

    private static List<int> ObjdumpOffsets(string objdump, List<byte> bytes)
    {
        string file = Path.Combine(Path.GetTempPath(), $"bpfsharp-dump-objdump-{Environment.ProcessId}.bin");
        try
        {
            File.WriteAllBytes(file, [.. bytes]);
            string text = TestKernel.Run(objdump, "-D", "-b", "binary", "-m", "i386:x86-64", file);
            return [.. text.Split('\n').Select(l => ObjdumpLine().Match(l)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"^\s*([0-9a-f]+):\t")]
    private static partial Regex InstructionLine();

    // "   4:\t48 89 e5             \tmov    %rsp,%rbp" (a continuation line of bytes has no tab after them)
    [GeneratedRegex(@"^\s*([0-9a-f]+):\t[0-9a-f ]+\t")]
    private static partial Regex ObjdumpLine();
}
