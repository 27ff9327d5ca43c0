using System.Globalization;
using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// <c>bpftool prog dump jited</c>: for each function the JIT produced, its BTF signature and kallsyms name, then its
/// machine code one instruction a line (<c>%4x:</c> offset, the disassembly, with <c>opcodes</c> the bytes under it)
/// and the source lines above the code they became. The disassembly is llvm-objdump's (<see cref="LlvmObjdump"/>);
/// without it, each line holds up to 16 bytes of code. Debian's bpftool 7.1 is built without a disassembler and
/// refuses this command ("No libbfd support"), so the layout follows bpftool's own printer (jit_disasm.c).
/// </summary>
internal sealed class BpftoolJitedDump(BpfProgramCode code, BpftoolKernelSymbols symbols) : IBpftoolDump
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly BtfSpec? _btf = code.BtfId != 0 ? BtfSpec.LoadFromKernelId(code.BtfId) : null;
    private readonly BpftoolLineInfo? _lines = code.Lines.Length > 0 ? BpftoolLineInfo.Create(code) : null;

    /// <summary>One function's part of the JIT's output.</summary>
    private sealed record Function(string? Signature, string Name, int Start, int Length, ulong Address, int Index);

    private IEnumerable<Function> Functions()
    {
        if (code.Jited.Length == 0)
            throw new CliError("no instructions returned (the program is not JIT-compiled)");
        var lens = code.JitedFunctionLengths;
        if (lens.Length == 0)
        {
            yield return new Function(null, "", 0, code.Jited.Length, 0, -1);
            yield break;
        }
        int start = 0;
        for (int i = 0; i < lens.Length; i++)
        {
            ulong address = i < code.JitedFunctionAddresses.Length ? code.JitedFunctionAddresses[i] : 0;
            string name = code.JitedFunctionAddresses.Length == 0 ? "unknown"
                : symbols.Find(address) ?? string.Create(Invariant, $"0x{address:x16}");
            string? signature = _btf is not null && i < code.Functions.Length ? BpftoolSignature.Of(_btf, (int)code.Functions[i].TypeId) : null;
            yield return new Function(signature, name, start, (int)lens[i], address, code.JitedFunctionAddresses.Length == 0 ? -1 : i);
            start += (int)lens[i];
        }
    }

    public string Plain(bool opcodes, bool linum)
    {
        var text = new StringBuilder();
        bool split = code.JitedFunctionLengths.Length > 0;
        foreach (var f in Functions())
        {
            if (split)
            {
                if (f.Signature is { Length: > 0 }) text.Append(f.Signature).Append(":\n");
                text.Append(f.Name).Append(":\n");
            }
            int skip = 0;
            foreach (var insn in Instructions(f))
            {
                if (f.Index >= 0 && _lines?.FindJited(f.Address + (ulong)insn.Offset, f.Index, skip) is { } line)
                {
                    skip++;
                    if (String(line.LineOffset) is { } src)
                    {
                        text.Append("; ").Append(src.TrimStart(' ', '\t', '\n', '\v', '\f', '\r'));
                        if (linum) text.Append(Invariant, $" [file:{String(line.FileNameOffset) ?? ""} line_num:{line.Line} line_col:{line.Column}]");
                        text.Append('\n');
                    }
                }
                text.Append(insn.Offset.ToString("x", Invariant).PadLeft(4)).Append(":\t").Append(insn.Text);
                if (opcodes)
                {
                    text.Append("\n\t");
                    foreach (byte b in code.Jited.AsSpan(f.Start + insn.Offset, insn.Length)) text.Append(Invariant, $"{b:x2} ");
                }
                text.Append('\n');
            }
            if (split) text.Append('\n');
        }
        return text.ToString();
    }

    public string Json(bool opcodes, bool linum, bool pretty)
    {
        var json = new BpftoolJsonWriter(pretty);
        WriteJson(json, opcodes, linum);
        return json.ToString();
    }

    /// <summary>The dump as a value of <paramref name="json"/> (several programs' dumps share one document).</summary>
    public void WriteJson(BpftoolJsonWriter json, bool opcodes, bool linum)
    {
        bool split = code.JitedFunctionLengths.Length > 0;
        if (split) json.StartArray();
        foreach (var f in Functions())
        {
            if (split)
            {
                json.StartObject();
                if (f.Signature is { Length: > 0 }) json.StringField("proto", f.Signature);
                json.StringField("name", f.Name);
                json.Name("insns");
            }
            json.StartArray();
            int skip = 0;
            foreach (var insn in Instructions(f))
            {
                json.StartObject();
                if (f.Index >= 0 && _lines?.FindJited(f.Address + (ulong)insn.Offset, f.Index, skip) is { } line)
                {
                    skip++;
                    if (String(line.LineOffset) is { } src) json.StringField("src", src.TrimStart(' ', '\t', '\n', '\v', '\f', '\r'));
                    if (linum)
                    {
                        if (String(line.FileNameOffset) is { } file) json.StringField("file", file);
                        if (line.Line != 0) json.IntField("line_num", line.Line);
                        if (line.Column != 0) json.IntField("line_col", line.Column);
                    }
                }
                json.Name("pc");
                json.Raw(string.Create(Invariant, $"\"0x{insn.Offset:x}\""));
                json.StringField("operation", insn.Text);
                if (opcodes)
                {
                    json.Name("opcodes");
                    json.StartArray();
                    foreach (byte b in code.Jited.AsSpan(f.Start + insn.Offset, insn.Length)) json.Raw(string.Create(Invariant, $"\"0x{b:x2}\""));
                    json.EndArray();
                }
                json.EndObject();
            }
            json.EndArray();
            if (split) json.EndObject();
        }
        if (split) json.EndArray();
    }

    private IEnumerable<LlvmObjdump.Instruction> Instructions(Function f)
    {
        var bytes = code.Jited.AsSpan(f.Start, f.Length).ToArray();
        if (LlvmObjdump.TryDisassemble(bytes, f.Address, symbols, out var insns))
            return insns;
        // No disassembler: the bytes, 16 to a line.
        return Enumerable.Range(0, (bytes.Length + 15) / 16).Select(row =>
        {
            int length = Math.Min(16, bytes.Length - row * 16);
            return new LlvmObjdump.Instruction(row * 16, length, string.Join(' ', bytes.Skip(row * 16).Take(length).Select(b => b.ToString("x2", Invariant))));
        });
    }

    private string? String(uint offset)
    {
        if (_btf is null) return null;
        try { return _btf.GetString((int)offset); }
        catch (ArgumentOutOfRangeException) { return null; }
    }
}
