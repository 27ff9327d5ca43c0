using System.Globalization;
using System.Text;
using BpfSharp.Asm;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// <c>bpftool prog dump xlated</c> as bpftool 7.1 prints it: each function's BTF signature, the source line above
/// the instructions it became (with <c>linum</c>, its file, line and column), the instructions, and with
/// <c>opcodes</c> their bytes; or the same as bpftool's JSON.
/// </summary>
internal sealed class BpftoolXlatedDump : Bpftool71Disassembler.INames, IBpftoolDump
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly BpfProgramCode _code;
    private readonly BpftoolKernelSymbols _symbols;
    private readonly BtfSpec? _btf;
    private readonly BpftoolLineInfo? _lines;

    /// <summary>What bpftool writes to stderr before the dump (its note when the line records cannot be used).</summary>
    public string? Notice { get; }

    public BpftoolXlatedDump(BpfProgramCode code, BpftoolKernelSymbols symbols)
    {
        _code = code;
        _symbols = symbols;
        _btf = code.BtfId != 0 ? BtfSpec.LoadFromKernelId(code.BtfId) : null;
        if (code.Lines.Length > 0)
        {
            _lines = BpftoolLineInfo.Create(code);
            if (_lines is null) Notice = "error in processing bpf_line_info.  continue without it.";
        }
    }

    public string Plain(bool opcodes, bool linum)
    {
        var text = new StringBuilder();
        var insns = _code.Translated;
        int function = 0, skip = 0;
        for (int i = 0; i < insns.Length; i++)
        {
            if (Signature(i, ref function) is { Length: > 0 } signature)
                text.Append(signature).Append(":\n");
            if (_lines?.Find((uint)i, skip) is { } line)
            {
                SourceLine(text, line, linum);
                skip++;
            }
            var next = i + 1 < insns.Length ? insns[i + 1] : default;
            text.Append((" " + i.ToString(Invariant)).PadLeft(4)).Append(": ") // printf("% 4d: ")
                .Append(Bpftool71Disassembler.Format(insns[i], next, this)).Append('\n');
            if (opcodes)
            {
                text.Append("       ").Append(Hex(insns[i]));
                if (insns[i].IsLoadImm64) text.Append(' ').Append(Hex(next));
                text.Append('\n');
            }
            if (insns[i].IsLoadImm64) i++;
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
        var insns = _code.Translated;
        int function = 0, skip = 0;
        json.StartArray();
        for (int i = 0; i < insns.Length; i++)
        {
            json.StartObject();
            if (Signature(i, ref function) is { Length: > 0 } signature)
                json.StringField("proto", signature);
            if (_lines?.Find((uint)i, skip) is { } line)
            {
                if (String(line.LineOffset) is { } src) json.StringField("src", src.TrimStart(CSpace));
                if (linum)
                {
                    if (String(line.FileNameOffset) is { } file) json.StringField("file", file);
                    if (line.Line != 0) json.IntField("line_num", line.Line);
                    if (line.Column != 0) json.IntField("line_col", line.Column);
                }
                skip++;
            }
            var next = i + 1 < insns.Length ? insns[i + 1] : default;
            json.Name("disasm");
            json.Enquoted(Bpftool71Disassembler.Format(insns[i], next, this));
            if (opcodes)
            {
                var bytes = BpfInstruction.AsBytes([insns[i]]);
                json.Name("opcodes");
                json.StartObject();
                json.Name("code");
                json.Raw($"\"0x{bytes[0]:x2}\"");
                json.Name("src_reg");
                json.Raw($"\"0x{bytes[1] >> 4:x}\"");
                json.Name("dst_reg");
                json.Raw($"\"0x{bytes[1] & 0xf:x}\"");
                json.Name("off");
                HexArray(json, bytes.Slice(2, 2));
                json.Name("imm");
                HexArray(json, insns[i].IsLoadImm64 ? [.. bytes[4..], .. BpfInstruction.AsBytes([next])] : bytes[4..]);
                json.EndObject();
            }
            json.EndObject();
            if (insns[i].IsLoadImm64) i++;
        }
        json.EndArray();
    }

    // The signature of the function starting at instruction i, moving on to the next record when one is used.
    private string? Signature(int i, ref int function)
    {
        if (_btf is null || function >= _code.Functions.Length || _code.Functions[function].InstructionOffset != i) return null;
        return BpftoolSignature.Of(_btf, (int)_code.Functions[function++].TypeId);
    }

    private void SourceLine(StringBuilder text, BpfLineRecord line, bool linum)
    {
        if (String(line.LineOffset) is not { } src) return;
        text.Append("; ").Append(src.TrimStart(CSpace));
        if (linum)
            text.Append(Invariant, $" [file:{String(line.FileNameOffset) ?? ""} line_num:{line.Line} line_col:{line.Column}]");
        text.Append('\n');
    }

    // btf__name_by_offset: null past the string section.
    private string? String(uint offset)
    {
        if (_btf is null) return null;
        try { return _btf.GetString((int)offset); }
        catch (ArgumentOutOfRangeException) { return null; }
    }

    // C's isspace, which ltrim uses.
    private static readonly char[] CSpace = [' ', '\t', '\n', '\v', '\f', '\r'];

    private static string Hex(BpfInstruction insn) =>
        string.Join(' ', BpfInstruction.AsBytes([insn]).ToArray().Select(b => b.ToString("x2", Invariant)));

    private static void HexArray(BpftoolJsonWriter json, ReadOnlySpan<byte> bytes)
    {
        json.StartArray();
        foreach (byte b in bytes) json.Raw($"\"0x{b:x2}\"");
        json.EndArray();
    }

    string Bpftool71Disassembler.INames.Call(in BpfInstruction insn)
    {
        ulong address = unchecked(_symbols.CallBase + (ulong)(long)insn.Immediate);
        var ksyms = _code.JitedFunctionAddresses;
        if (insn.Src == (BpfRegister)1 && (uint)insn.Immediate < (uint)ksyms.Length)
            address = ksyms[insn.Immediate];
        string? name = _symbols.Find(address);
        if (insn.Src != (BpfRegister)1)
            return name ?? $"0x{address:x}";
        string off = insn.Offset.ToString("+0;-0", Invariant);
        return ksyms.Length == 0 ? off : name is not null ? $"{off}#{name}" : $"{off}#0x{address:x}";
    }

    string Bpftool71Disassembler.INames.Constant(in BpfInstruction insn, in BpfInstruction next) => (int)insn.Src switch
    {
        1 => string.Create(Invariant, $"map[id:{(uint)insn.Immediate}]"),
        2 => string.Create(Invariant, $"map[id:{(uint)insn.Immediate}][0]+{(uint)next.Immediate}"),
        6 => string.Create(Invariant, $"map[idx:{(uint)insn.Immediate}]+{(uint)next.Immediate}"),
        4 => string.Create(Invariant, $"subprog[{insn.Immediate:+0;-0}]"),
        _ => $"0x{(ulong)(uint)insn.Immediate | (ulong)(uint)next.Immediate << 32:x}",
    };
}
