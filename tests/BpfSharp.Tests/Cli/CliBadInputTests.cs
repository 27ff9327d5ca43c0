using BpfSharp.Tests.Btf;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The tool's commands that read files, given every bad-input reproducer (Btf/Fixtures): each ends within its time,
/// and a failure is one line on standard error with exit code 1 (never a runtime crash, exit 134, or a stack dump).
/// </summary>
public sealed class CliBadInputTests
{
    public static TheoryData<string, string> Runs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, _) in BadInputReproducers.Btf())
        {
            data.Add(name, "btf dump --format c");
            data.Add(name, "btf dump --format json");
        }
        foreach (var (name, _) in BadInputReproducers.Objects())
        {
            data.Add(name, "object inspect");
            data.Add(name, "btf dump --format c");
            data.Add(name, "btf min-core");
        }
        return data;
    }

    /// <summary>Valid BTF among the reproducers: written within bounds.</summary>
    private static readonly string[] Valid =
        ["struct_size_0x7fffffff.btf", "enum_12000_same_name.btf", "array_of_empty_struct.btf", "int_array_1gib.btf"];

    /// <summary>Valid BTF that C cannot express: JSON lists its types, C is refused.</summary>
    private static readonly string[] NotC =
        ["ptr_proto_cycle.btf", "pointer_chain_100000.btf.gz", "nested_anon_members_100000.btf.gz", "anon_struct_dag.btf", "proto_dag.btf"];

    [Theory]
    [MemberData(nameof(Runs))]
    public void OneLineOnStandardErrorAndExitOne(string fixture, string command)
    {
        string dir = Directory.CreateTempSubdirectory("bpfsharp-badinput-").FullName;
        try
        {
            string file = BadInputReproducers.PlainFile(fixture, dir);
            var words = command.Split(' ');
            // The file goes right after the subcommand; options follow it.
            string[] args = [words[0], words[1], file, "--output", Path.Combine(dir, "out"), .. words[2..]];
            if (words[0] == "object") args = [words[0], words[1], file];
            var r = BpfSharpTool.RunWithTimeout(60, args);
            bool accepted = Valid.Contains(fixture) || (NotC.Contains(fixture) && command.EndsWith("json", StringComparison.Ordinal));
            Assert.True(r.ExitCode == (accepted ? 0 : 1), $"exit {r.ExitCode}: {r.Stderr}");
            if (accepted) return;
            var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, $"{lines.Length} lines on stderr: {r.Stderr}");
            Assert.StartsWith("bpfsharp: ", lines[0]);
            Assert.DoesNotContain("unexpected", lines[0]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
