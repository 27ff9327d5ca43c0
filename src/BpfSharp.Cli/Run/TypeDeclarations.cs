using System.Diagnostics;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// <c>--types FILE.h</c> or <c>--types 'struct event { ... };'</c>: C declarations of a record layout, compiled to
/// BTF by clang (<c>-g -target bpf</c>, as BPF objects are) and read back from the compiled object's <c>.BTF</c>.
/// clang keeps in BTF only the types something uses, so every struct the declarations define is given a variable.
/// </summary>
internal static partial class TypeDeclarations
{
    [GeneratedRegex(@"\bstruct\s+([A-Za-z_]\w*)\s*\{")]
    private static partial Regex StructDefinition();

    /// <summary>Compiles the declarations; returns their BTF and the structs they define, in order.</summary>
    public static (BtfSpec Btf, List<string> Structs) Compile(string fileOrText)
    {
        bool isFile = File.Exists(fileOrText);
        if (!isFile && !fileOrText.Contains('{')) throw new CliError($"--types {fileOrText}: no such file, and not C declarations");
        string text = isFile ? File.ReadAllText(fileOrText) : fileOrText;
        var structs = StructDefinition().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        if (structs.Count == 0) throw new CliError($"--types {Shown(fileOrText)}: defines no struct");

        string dir = Directory.CreateTempSubdirectory("bpfsharp-types-").FullName;
        try
        {
            string source = Path.Combine(dir, "types.c"), obj = Path.Combine(dir, "types.o");
            // The kernel's fixed-width names (__u32...) and the libc ones tools' headers use (pid_t...).
            var lines = new List<string>
            {
                "#include <linux/types.h>",
                "typedef int pid_t; typedef unsigned int uid_t; typedef unsigned int gid_t; typedef __u64 u64; typedef __u32 u32; typedef __u16 u16; typedef __u8 u8;",
                isFile ? $"#include \"{Path.GetFullPath(fileOrText)}\"" : text,
            };
            lines.AddRange(structs.Select(s => $"struct {s} __bpfsharp_keep_{s} __attribute__((used));"));
            File.WriteAllLines(source, lines);
            string triplet = $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant().Replace("x64", "x86_64").Replace("arm64", "aarch64")}-linux-gnu";
            var psi = new ProcessStartInfo(Clang())
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                ArgumentList = { "-g", "-O2", "-target", "bpf", "-std=gnu11", "-I", $"/usr/include/{triplet}", "-c", source, "-o", obj },
            };
            using var p = Process.Start(psi) ?? throw new CliError("--types: cannot start clang");
            string errors = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new CliError($"--types {Shown(fileOrText)}: clang could not compile the declarations:\n{errors.TrimEnd()}");
            var elf = ElfFile.Open(obj);
            var btf = elf.FindSection(".BTF") ?? throw new CliError("--types: clang wrote no BTF");
            return (BtfSpec.Parse(btf.Data.Span), structs);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Clang()
    {
        foreach (var name in new[] { "clang-19", "clang" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        throw new CliError("--types needs clang (clang-19) to compile the declarations to BTF: apt-get install clang-19");
    }

    private static string Shown(string fileOrText) => fileOrText.Length > 40 ? fileOrText[..37] + "..." : fileOrText;
}
