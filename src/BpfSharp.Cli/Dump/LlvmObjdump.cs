using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// Machine code disassembled by <c>llvm-objdump</c> (llvm-19, else any on the PATH): the bytes are wrapped in a
/// minimal ELF relocatable file whose <c>.text</c> is the function, disassembled at the function's kernel address so
/// that call and jump targets are absolute and can be named from kallsyms.
/// </summary>
internal static partial class LlvmObjdump
{
    /// <summary>One machine instruction: its offset in the function, its length, its text.</summary>
    public sealed record Instruction(int Offset, int Length, string Text);

    private static readonly Lazy<string?> Tool = new(() =>
        new[] { "llvm-objdump-19", "llvm-objdump" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists));

    public static bool TryDisassemble(byte[] code, ulong address, BpftoolKernelSymbols symbols, out List<Instruction> instructions)
    {
        instructions = [];
        string? triple = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            _ => null,
        };
        ushort machine = triple == "x86_64" ? (ushort)62 : (ushort)183;
        if (Tool.Value is null || triple is null || code.Length == 0) return false;
        string file = Path.Combine(Path.GetTempPath(), $"bpfsharp-jited-{Environment.ProcessId}-{Guid.NewGuid():N}.o");
        try
        {
            File.WriteAllBytes(file, MinimalElf(code, machine));
            var psi = new ProcessStartInfo(Tool.Value) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-d", "--no-show-raw-insn", $"--triple={triple}", $"--adjust-vma=0x{address:x}", file })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var errors = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            _ = errors.Result;
            if (p.ExitCode != 0) return false;
            var found = new List<(int Offset, string Text)>();
            foreach (var line in output.Split('\n'))
            {
                var m = Line().Match(line);
                if (!m.Success) continue;
                ulong at = ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                found.Add(((int)(at - address), Name(m.Groups[2].Value.Trim().Replace('\t', ' '), symbols)));
            }
            for (int i = 0; i < found.Count; i++)
            {
                int end = i + 1 < found.Count ? found[i + 1].Offset : code.Length;
                instructions.Add(new Instruction(found[i].Offset, end - found[i].Offset, found[i].Text));
            }
            return instructions.Count > 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
        finally
        {
            File.Delete(file);
        }
    }

    // "callq 0xffffffff812a4560 <...>": a target address named as kallsyms names it.
    private static string Name(string text, BpftoolKernelSymbols symbols) => Target().Replace(text, m =>
    {
        ulong target = ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return symbols.Find(target) is { } name ? $"0x{m.Groups[1].Value} <{name}>" : $"0x{m.Groups[1].Value}";
    });

    [GeneratedRegex(@"^\s*([0-9a-f]+):\s*(\S.*)$")]
    private static partial Regex Line();

    [GeneratedRegex(@"0x([0-9a-f]{9,16})(?: <[^>]*>)?")]
    private static partial Regex Target();

    // An ELF64 little-endian relocatable file with three sections: null, .text (the code), .shstrtab.
    private static byte[] MinimalElf(byte[] code, ushort machine)
    {
        byte[] names = "\0.text\0.shstrtab\0"u8.ToArray();
        int textOffset = 64, namesOffset = textOffset + code.Length, sectionsOffset = (namesOffset + names.Length + 7) & ~7;
        var elf = new byte[sectionsOffset + 3 * 64];
        var w = new BinaryWriter(new MemoryStream(elf));
        w.Write("\x7f"u8); w.Write("ELF"u8); w.Write((byte)2); w.Write((byte)1); w.Write((byte)1); // 64-bit, LE, version
        w.Seek(16, SeekOrigin.Begin);
        w.Write((ushort)1); w.Write(machine); w.Write(1u); w.Write(0UL); w.Write(0UL); w.Write((ulong)sectionsOffset);
        w.Write(0u); w.Write((ushort)64); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)64); w.Write((ushort)3); w.Write((ushort)2);
        code.CopyTo(elf, textOffset);
        names.CopyTo(elf, namesOffset);
        w.Seek(sectionsOffset + 64, SeekOrigin.Begin);
        Section(w, 1, 1, 6, textOffset, code.Length, 16);      // .text: PROGBITS, ALLOC|EXECINSTR
        Section(w, 7, 3, 0, namesOffset, names.Length, 1);     // .shstrtab: STRTAB
        return elf;
    }

    private static void Section(BinaryWriter w, uint name, uint type, ulong flags, int offset, int size, ulong align)
    {
        w.Write(name); w.Write(type); w.Write(flags); w.Write(0UL); w.Write((ulong)offset); w.Write((ulong)size);
        w.Write(0u); w.Write(0u); w.Write(align); w.Write(0UL);
    }
}
