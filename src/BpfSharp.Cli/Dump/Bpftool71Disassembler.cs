using System.Globalization;
using BpfSharp.Asm;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// One translated instruction as bpftool 7.1 prints it: the kernel 6.1 verifier's printer (kernel/bpf/disasm.c)
/// with bpftool's call and constant names. That printer predates several instructions a newer kernel emits or
/// accepts, and prints them as it did: byte swaps as <c>BUG_alu64_d7</c>, sign-extending loads as
/// <c>BUG_ldx_..</c>, a sign-extending move or an address-space cast as a plain move, <c>gotol</c> as a comparison
/// named <c>jmp</c>, and an operator it has no name for as <c>(null)</c> (what glibc prints for a null string).
/// </summary>
internal static class Bpftool71Disassembler
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // Indexed by the operation's upper 4 bits; null where 6.1 has no entry.
    private static readonly string?[] AluNames =
        ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", null, null];
    private static readonly string?[] AtomicNames =
        ["add", null, null, null, "or", "and", null, null, null, null, "xor", null, null, null, null, null];
    private static readonly string?[] JumpNames =
        ["jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", null, null];
    private static readonly string[] SizeNames = ["u32", "u16", "u8", "u64"];

    /// <summary>The helpers Linux 6.1 knows (<c>__BPF_FUNC_MAX_ID</c>), which its printer names from the id alone.</summary>
    private const int HelperCount = 210;

    /// <summary>How calls and 64-bit constants are named: bpftool's callbacks.</summary>
    internal interface INames
    {
        /// <summary>bpftool's <c>print_call</c>: what follows <c>call</c> (a helper or kfunc) or <c>call pc</c> (a subprogram).</summary>
        string Call(in BpfInstruction insn);

        /// <summary>bpftool's <c>print_imm</c>: the value of a 64-bit load.</summary>
        string Constant(in BpfInstruction insn, in BpfInstruction next);
    }

    /// <summary>The text after the instruction's index, without the newline; <paramref name="next"/> is the second
    /// half of a 64-bit load (ignored otherwise).</summary>
    public static string Format(in BpfInstruction insn, in BpfInstruction next, INames names)
    {
        int code = insn.OpCode, cls = code & 0x07, op = code & 0xf0, mode = code & 0xe0;
        int dst = (int)insn.Dst, src = (int)insn.Src, imm = insn.Immediate, off = insn.Offset;
        string size = SizeNames[(code & 0x18) >> 3];
        string c = code.ToString("x2", Invariant);
        switch (cls)
        {
            case 0x04 or 0x07: // ALU, ALU64
            {
                char r = cls == 0x04 ? 'w' : 'r';
                if (op == 0xd0)
                    return cls == 0x07 ? $"BUG_alu64_{c}" : S($"({c}) r{dst} = {((code & 0x08) != 0 ? "be" : "le")}{imm} r{dst}");
                if (op == 0x80)
                    return $"({c}) {r}{dst} = -{r}{dst}";
                return (code & 0x08) != 0
                    ? $"({c}) {r}{dst} {Name(AluNames, op)} {r}{src}"
                    : S($"({c}) {r}{dst} {Name(AluNames, op)} {imm}");
            }
            case 0x03: // STX
                if (mode == 0x60)
                    return S($"({c}) *({size} *)(r{dst} {off:+0;-0}) = r{src}");
                if (mode != 0xc0)
                    return $"BUG_{c}";
                string width = (code & 0x18) == 0x18 ? "64" : "";
                return imm switch
                {
                    0x00 or 0x40 or 0x50 or 0xa0 => S($"({c}) lock *({size} *)(r{dst} {off:+0;-0}) {Name(AluNames, imm & 0xf0)} r{src}"),
                    0x01 or 0x41 or 0x51 or 0xa1 => S($"({c}) r{src} = atomic{width}_fetch_{Name(AtomicNames, imm & 0xf0)}(({size} *)(r{dst} {off:+0;-0}), r{src})"),
                    0xf1 => S($"({c}) r0 = atomic{width}_cmpxchg(({size} *)(r{dst} {off:+0;-0}), r0, r{src})"),
                    0xe1 => S($"({c}) r{src} = atomic{width}_xchg(({size} *)(r{dst} {off:+0;-0}), r{src})"),
                    _ => $"BUG_{c}",
                };
            case 0x02: // ST
                return mode switch
                {
                    0x60 => S($"({c}) *({size} *)(r{dst} {off:+0;-0}) = {imm}"),
                    0xc0 => $"({c}) nospec",
                    _ => $"BUG_st_{c}",
                };
            case 0x01: // LDX
                return mode == 0x60 ? S($"({c}) r{dst} = *({size} *)(r{src} {off:+0;-0})") : $"BUG_ldx_{c}";
            case 0x00: // LD
                return mode switch
                {
                    0x20 => S($"({c}) r0 = *({size} *)skb[{imm}]"),
                    0x40 => S($"({c}) r0 = *({size} *)skb[r{src} + {imm}]"),
                    0x00 when (code & 0x18) == 0x18 => $"({c}) r{dst} = {names.Constant(insn, next)}",
                    _ => $"BUG_ld_{c}",
                };
            default: // JMP, JMP32
            {
                char r = cls == 0x06 ? 'w' : 'r';
                if (op == 0x80)
                {
                    if (src == 1)
                        return $"({c}) call pc{names.Call(insn)}";
                    string name = src == 0 && imm >= 0 && imm < HelperCount ? HelperName(imm) : names.Call(insn);
                    return S($"({c}) call {name}#{imm}");
                }
                if (code == 0x05)
                    return S($"({c}) goto pc{off:+0;-0}");
                if (code == 0x95)
                    return $"({c}) exit";
                return (code & 0x08) != 0
                    ? S($"({c}) if {r}{dst} {Name(JumpNames, op)} {r}{src} goto pc{off:+0;-0}")
                    : S($"({c}) if {r}{dst} {Name(JumpNames, op)} 0x{(uint)imm:x} goto pc{off:+0;-0}");
            }
        }
    }

    /// <summary>The kernel 6.1 name of helper <paramref name="id"/> (<c>bpf_map_lookup_elem</c>).</summary>
    public static string HelperName(int id) => "bpf_" + System.Text.RegularExpressions.Regex
        .Replace(((BpfHelper)id).ToString(), "(?<!^)(?=[A-Z])", "_").ToLowerInvariant();

    private static string Name(string?[] table, int op) => table[op >> 4] ?? "(null)";

    private static string S(FormattableString s) => s.ToString(Invariant);
}
