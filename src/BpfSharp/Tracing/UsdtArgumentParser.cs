using System.Globalization;
using BpfSharp.Elf;

namespace BpfSharp.Tracing;

/// <summary>
/// Decodes a USDT note's argument string (<c>-4@%edi 8@-16(%rbp) 4@$5</c>): space-separated <c>SIZE@OPERAND</c>
/// items, the size negative for a signed argument, the operand in the architecture's assembler syntax as the
/// compiler printed it for <c>sys/sdt.h</c>'s "nor" constraint. Registers are mapped to their offsets in the
/// kernel's <c>struct pt_regs</c>, which is what a uprobe program's context points to.
/// </summary>
public static class UsdtArgumentParser
{
    /// <summary>The most arguments <c>usdt.bpf.h</c> has room for (<c>BPF_USDT_MAX_ARG_CNT</c>).</summary>
    public const int MaxArguments = 12;

    /// <summary>Parses every argument of <paramref name="arguments"/> for <paramref name="machine"/>.</summary>
    /// <param name="probe">Names the probe in errors (<c>provider:name in /path</c>).</param>
    /// <exception cref="UsdtArgumentException">An argument is malformed or in a form the BPF side cannot read; the message names the probe and the argument.</exception>
    public static IReadOnlyList<UsdtArgument> Parse(string arguments, ElfMachine machine, string probe)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        // Older notes end the string with ':' when the probe has no arguments.
        List<string> items = arguments.Trim() is "" or ":" ? [] : Split(arguments);
        if (items.Count > MaxArguments)
            throw new UsdtArgumentException(probe, arguments, $"{items.Count} arguments, more than the {MaxArguments} usdt.bpf.h has room for");
        var result = new UsdtArgument[items.Count];
        for (int i = 0; i < items.Count; i++)
            result[i] = ParseOne(items[i], machine, probe);
        return result;
    }

    // Items are separated by spaces, which arm64 memory operands also contain ("-4@[sp, 96]").
    private static List<string> Split(string arguments)
    {
        var items = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i <= arguments.Length; i++)
        {
            char c = i < arguments.Length ? arguments[i] : ' ';
            if (c is '[' or '(') depth++;
            else if (c is ']' or ')') depth--;
            else if (c == ' ' && depth <= 0)
            {
                if (i > start) items.Add(arguments[start..i]);
                start = i + 1;
            }
        }
        return items;
    }

    /// <summary>Parses one <c>SIZE@OPERAND</c> item.</summary>
    public static UsdtArgument ParseOne(string text, ElfMachine machine, string probe)
    {
        int at = text.IndexOf('@');
        if (at <= 0)
            throw new UsdtArgumentException(probe, text, "no SIZE@ prefix (the argument's size and signedness)");
        if (!int.TryParse(text.AsSpan(0, at), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int size) || Math.Abs(size) is not (1 or 2 or 4 or 8))
            throw new UsdtArgumentException(probe, text, $"size '{text[..at]}' is not 1, 2, 4 or 8 (negative when signed)");
        string operand = text[(at + 1)..];
        var location = machine switch
        {
            ElfMachine.Amd64 => X86Operand(operand),
            ElfMachine.Arm64 => Arm64Operand(operand),
            _ => throw new UsdtArgumentException(probe, text, $"USDT arguments of {machine} binaries are not supported (x86-64 and arm64 are)"),
        };
        if (location.Error is { } error)
            throw new UsdtArgumentException(probe, text, error);
        return location.Argument! with { Text = text, Size = Math.Abs(size), IsSigned = size < 0 };
    }

    private readonly record struct Decoded(UsdtArgument? Argument, string? Error);

    private static Decoded Fail(string error) => new(null, error);

    private static Decoded Ok(UsdtArgumentKind kind, long value = 0, string? register = null, int registerOffset = 0,
        string? index = null, int indexOffset = 0, int scale = 1, string? symbol = null) =>
        new(new UsdtArgument
        {
            Text = "", Size = 8, IsSigned = false, Kind = kind, Value = value, Register = register, RegisterOffset = registerOffset,
            IndexRegister = index, IndexRegisterOffset = indexOffset, Scale = scale, Symbol = symbol,
        }, null);

    // AT&T syntax: $imm, %reg, disp(%base), disp(%base,%index,scale), sym(%rip), sym, %fs:disp.
    private static Decoded X86Operand(string s)
    {
        if (s.StartsWith('$'))
        {
            return TryParseInteger(s[1..], out long imm) ? Ok(UsdtArgumentKind.Constant, imm)
                : Fail($"the immediate '{s}' is not a number (a symbol's address as a constant is not supported)");
        }
        if (s.Length > 3 && s[0] == '%' && s[3] == ':')
            return Fail($"segment-relative operand ({s[..3]}:, e.g. a thread-local variable): struct pt_regs has no segment base to read it from");
        if (s.StartsWith('%'))
        {
            string name = s[1..];
            if (name == "rip") return Fail("the instruction pointer itself is not an argument");
            return X86Registers.TryGetValue(name, out int off) ? Ok(UsdtArgumentKind.Register, register: name, registerOffset: off) : Fail(UnknownX86Register(name));
        }
        int open = s.IndexOf('(');
        string disp = open < 0 ? s : s[..open];
        long displacement = 0;
        string? symbol = null;
        if (disp.Length > 0 && !TryParseInteger(disp, out displacement))
        {
            // sym, sym+N, sym-N: an address the linker knows.
            int sign = disp.IndexOfAny(['+', '-'], 1);
            symbol = sign < 0 ? disp : disp[..sign];
            if (sign >= 0 && !TryParseInteger(disp[sign..].TrimStart('+'), out displacement))
                return Fail($"the displacement '{disp}' is neither a number nor SYMBOL[+-N]");
            if (!IsSymbolName(symbol)) return Fail($"the displacement '{disp}' is neither a number nor SYMBOL[+-N]");
        }
        if (open < 0)
        {
            // An absolute address (a non-PIC global): read like a RIP-relative one, from the probe's address.
            return symbol is null ? Fail("a bare number is not an operand the compiler emits (an immediate is written $N)")
                : Ok(UsdtArgumentKind.Memory, displacement, "rip", X86Registers["rip"], symbol: symbol);
        }
        if (!s.EndsWith(')')) return Fail("the memory operand does not end with ')'");
        string[] parts = s[(open + 1)..^1].Split(',');
        string baseText = parts[0].Trim();
        if (parts.Length > 3) return Fail("a memory operand has at most base, index and scale");
        if (baseText.Length == 0 && (symbol is null || parts.Length == 1))
            return Fail("an index without a base register needs a symbol (SYMBOL(,%index,scale), a non-PIC array)");
        // SYMBOL(,%index,scale): the symbol's address is read relative to the probe's, like a RIP-relative one.
        if (baseText.Length == 0) baseText = "%rip";
        if (!baseText.StartsWith('%')) return Fail($"the base '{baseText}' is not a %register");
        string baseName = baseText[1..];
        if (!X86Registers.TryGetValue(baseName, out int baseOffset)) return Fail(UnknownX86Register(baseName));
        bool ripRelative = baseName is "rip" or "eip";
        if (ripRelative && symbol is null)
            return Fail("a RIP-relative operand needs a symbol: a bare displacement is relative to an instruction the note does not record");
        if (!ripRelative && symbol is not null)
            return Fail($"a symbol ('{symbol}') added to %{baseName} is not supported (only RIP-relative symbols are)");
        if (parts.Length == 1)
            return Ok(UsdtArgumentKind.Memory, displacement, baseName, baseOffset, symbol: symbol);
        if (ripRelative && parts[0].Trim().Length != 0) return Fail("a RIP-relative operand cannot have an index register");
        string indexText = parts[1].Trim();
        if (!indexText.StartsWith('%') || !X86Registers.TryGetValue(indexText[1..], out int indexOffset))
            return Fail(indexText.StartsWith('%') ? UnknownX86Register(indexText[1..]) : $"the index '{indexText}' is not a %register");
        int scale = 1;
        if (parts.Length == 3 && (!int.TryParse(parts[2].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out scale) || scale is not (1 or 2 or 4 or 8)))
            return Fail($"the scale '{parts[2].Trim()}' is not 1, 2, 4 or 8");
        return Ok(UsdtArgumentKind.IndexedMemory, displacement, baseName, baseOffset, indexText[1..], indexOffset, scale, symbol);
    }

    private static string UnknownX86Register(string name) =>
        name.StartsWith("xmm", StringComparison.Ordinal) || name.StartsWith("st", StringComparison.Ordinal) || name.StartsWith("ymm", StringComparison.Ordinal)
            ? $"%{name} is not in struct pt_regs (floating-point and vector registers are not saved there)"
            : name is "ah" or "bh" or "ch" or "dh"
                ? $"%{name} is the second byte of a register, which usdt.bpf.h cannot extract"
                : $"unknown register %{name}";

    // GNU as for AArch64: N (a constant), xN/wN/sp, [xN], [xN, OFF] (OFF possibly written #OFF).
    private static Decoded Arm64Operand(string s)
    {
        if (s.StartsWith('['))
        {
            if (!s.EndsWith(']')) return Fail("the memory operand does not end with ']'");
            string[] parts = s[1..^1].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length > 2) return Fail("a memory operand with an index register or an extension is not supported");
            if (!TryArm64Register(parts[0], out int off)) return Fail($"unknown base register '{parts[0]}'");
            long disp = 0;
            if (parts.Length == 2 && TryArm64Register(parts[1], out _))
                return Fail("a memory operand with an index register is not supported");
            if (parts.Length == 2 && !TryParseInteger(parts[1].TrimStart('#'), out disp))
                return Fail($"the offset '{parts[1]}' is not a number");
            return Ok(UsdtArgumentKind.Memory, disp, parts[0], off);
        }
        if (TryParseInteger(s.TrimStart('#'), out long imm))
            return Ok(UsdtArgumentKind.Constant, imm);
        return TryArm64Register(s, out int offset) ? Ok(UsdtArgumentKind.Register, register: s, registerOffset: offset) : Fail($"unknown register '{s}'");
    }

    // struct user_pt_regs: regs[31], sp, pc, pstate. A wN register is the low half of xN, which the size's cast keeps.
    private static bool TryArm64Register(string name, out int offset)
    {
        offset = 0;
        if (name == "sp") { offset = 31 * 8; return true; }
        if (name.Length < 2 || name[0] is not ('x' or 'w')) return false;
        if (!int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > 30) return false;
        offset = n * 8;
        return true;
    }

    private static bool TryParseInteger(string s, out long value)
    {
        bool negative = s.StartsWith('-');
        string digits = negative || s.StartsWith('+') ? s[1..] : s;
        bool ok = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong u)
            : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out u);
        value = ok ? unchecked(negative ? -(long)u : (long)u) : 0;
        return ok && digits.Length > 0;
    }

    private static bool IsSymbolName(string s) =>
        s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] is '_' or '.') && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$');

    /// <summary>
    /// x86-64 register names (64, 32, 16 and 8-bit) → offset in <c>struct pt_regs</c> (r15, r14, r13, r12, bp, bx,
    /// r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss). A narrower name reads the whole
    /// register; the argument's size then keeps its low bytes.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, int> X86Registers = BuildX86Registers();

    private static Dictionary<string, int> BuildX86Registers()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(int offset, params string[] names) { foreach (var n in names) map[n] = offset; }
        Add(0, "r15", "r15d", "r15w", "r15b");
        Add(8, "r14", "r14d", "r14w", "r14b");
        Add(16, "r13", "r13d", "r13w", "r13b");
        Add(24, "r12", "r12d", "r12w", "r12b");
        Add(32, "rbp", "ebp", "bp", "bpl");
        Add(40, "rbx", "ebx", "bx", "bl");
        Add(48, "r11", "r11d", "r11w", "r11b");
        Add(56, "r10", "r10d", "r10w", "r10b");
        Add(64, "r9", "r9d", "r9w", "r9b");
        Add(72, "r8", "r8d", "r8w", "r8b");
        Add(80, "rax", "eax", "ax", "al");
        Add(88, "rcx", "ecx", "cx", "cl");
        Add(96, "rdx", "edx", "dx", "dl");
        Add(104, "rsi", "esi", "si", "sil");
        Add(112, "rdi", "edi", "di", "dil");
        Add(128, "rip", "eip");
        Add(152, "rsp", "esp", "sp", "spl");
        return map;
    }
}
