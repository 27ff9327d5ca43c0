using System.Globalization;
using System.Text;

namespace BpfSharp.Asm;

/// <summary>
/// Prints instructions in the kernel verifier's pseudo-C (kernel/bpf/disasm.c), with three changes
/// that read better outside a verifier log: jumps print <c>goto +3</c> rather than <c>goto pc+3</c>,
/// helper calls print their id (<c>call 1</c>), and 64-bit constants carry llvm's <c>ll</c> suffix.
/// </summary>
internal static class BpfDisassembler
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Format(in BpfInstruction insn) =>
        insn.IsLoadImm64 ? FormatLoadImm64(insn, null, translated: false) : FormatSingle(insn, translated: false);

    /// <param name="translated">
    /// The program is the kernel's translation (BPF_OBJ_GET_INFO_BY_FD's xlated_prog_insns): map references hold map
    /// ids rather than fds, and a call into the program keeps its offset in the off field (the immediate then numbers
    /// the subprogram).
    /// </param>
    public static string Disassemble(ReadOnlySpan<BpfInstruction> program, bool translated = false)
    {
        var text = new StringBuilder();
        for (int pc = 0; pc < program.Length; pc++)
        {
            var insn = program[pc];
            string body = insn.IsLoadImm64
                ? FormatLoadImm64(insn, pc + 1 < program.Length ? program[pc + 1] : null, translated)
                : FormatSingle(insn, translated);
            text.Append(Invariant, $"{pc}: ({insn.OpCode:x2}) {body}\n");
            if (insn.IsLoadImm64)
                pc++; // the second slot belongs to this instruction (past the end, the loop just stops)
        }
        return text.ToString();
    }

    private static string FormatSingle(in BpfInstruction insn, bool translated) => insn.Class switch
    {
        BpfClass.Alu or BpfClass.Alu64 => FormatAlu(insn),
        BpfClass.Jmp or BpfClass.Jmp32 => FormatJump(insn, translated),
        BpfClass.Ldx => FormatLoad(insn),
        BpfClass.St => FormatStoreImmediate(insn),
        BpfClass.Stx => FormatStoreRegister(insn),
        _ => FormatLd(insn),
    };

    private static string FormatAlu(in BpfInstruction insn)
    {
        bool is64 = insn.Class == BpfClass.Alu64;
        char r = is64 ? 'r' : 'w';
        int dst = (int)insn.Dst, src = (int)insn.Src;
        var op = insn.AluOp;

        switch (op)
        {
            case AluOp.End when is64:
                return string.Create(Invariant, $"r{dst} = bswap{insn.Immediate} r{dst}");
            case AluOp.End:
                // The 32-bit class keeps the target byte order in the source bit.
                string order = (BpfByteOrder)insn.Source == BpfByteOrder.BigEndian ? "be" : "le";
                return string.Create(Invariant, $"r{dst} = {order}{insn.Immediate} r{dst}");
            case AluOp.Neg when insn.Source == BpfSource.Immediate: // NEG is defined only with the K source
                return $"{r}{dst} = -{r}{dst}";
            case AluOp.Mov when is64 && insn.Source == BpfSource.Register && insn.Offset == 1:
                // BPF_ADDR_SPACE_CAST (arena pointers): imm holds the destination and source address spaces.
                uint spaces = (uint)insn.Immediate;
                return $"r{dst} = addr_space_cast(r{src}, {spaces >> 16}, {spaces & 0xffff})";
        }

        string? symbol = AluSymbol(op, insn.Offset);
        if (symbol is null)
            return Unknown(insn);
        if (insn.Source == BpfSource.Immediate)
            return string.Create(Invariant, $"{r}{dst} {symbol} {insn.Immediate}");

        // MOVSX: a register move with offset 8, 16 or 32 sign-extends from that many bits.
        string cast = op == AluOp.Mov && insn.Offset is 8 or 16 or 32 ? $"(s{insn.Offset})" : "";
        return $"{r}{dst} {symbol} {cast}{r}{src}";
    }

    private static string? AluSymbol(AluOp op, short offset) => op switch
    {
        AluOp.Add => "+=",
        AluOp.Sub => "-=",
        AluOp.Mul => "*=",
        // Offset 1 selects the signed forms of division and modulo (ISA v4).
        AluOp.Div => offset == 1 ? "s/=" : "/=",
        AluOp.Mod => offset == 1 ? "s%=" : "%=",
        AluOp.Or => "|=",
        AluOp.And => "&=",
        AluOp.Lsh => "<<=",
        AluOp.Rsh => ">>=",
        AluOp.Xor => "^=",
        AluOp.Mov => "=",
        AluOp.Arsh => "s>>=",
        _ => null,
    };

    private static string FormatJump(in BpfInstruction insn, bool translated)
    {
        bool is32 = insn.Class == BpfClass.Jmp32;
        char r = is32 ? 'w' : 'r';
        int dst = (int)insn.Dst, src = (int)insn.Src;

        switch (insn.OpCode)
        {
            case BpfOpCode.Call:
                return FormatCall(insn, translated);
            case BpfOpCode.Exit:
                return "exit";
            case BpfOpCode.Goto:
                return $"goto {Relative(insn.Offset)}";
            case BpfOpCode.GotoLong:
                return $"gotol {Relative(insn.Immediate)}";
            case (byte)BpfClass.Jmp | (byte)JumpOp.Cond when src == 0:
                // BPF_JCOND with source 0 is may_goto: jump once the loop budget runs out.
                return $"may_goto {Relative(insn.Offset)}";
        }

        string? symbol = JumpSymbol(insn.JumpOp);
        if (symbol is null)
            return Unknown(insn);
        if (insn.Source == BpfSource.Register)
            return $"if {r}{dst} {symbol} {r}{src} goto {Relative(insn.Offset)}";
        // The kernel prints a comparison's immediate as unsigned 32-bit hex.
        return $"if {r}{dst} {symbol} 0x{(uint)insn.Immediate:x} goto {Relative(insn.Offset)}";
    }

    private static string? JumpSymbol(JumpOp op) => op switch
    {
        JumpOp.Eq => "==",
        JumpOp.Gt => ">",
        JumpOp.Ge => ">=",
        JumpOp.Set => "&",
        JumpOp.Ne => "!=",
        JumpOp.SGt => "s>",
        JumpOp.SGe => "s>=",
        JumpOp.Lt => "<",
        JumpOp.Le => "<=",
        JumpOp.SLt => "s<",
        JumpOp.SLe => "s<=",
        _ => null,
    };

    private static string FormatCall(in BpfInstruction insn, bool translated) => (CallSource)insn.Src switch
    {
        CallSource.Helper => string.Create(Invariant, $"call {insn.Immediate}"),
        CallSource.Function => $"call pc{Relative(translated ? insn.Offset : insn.Immediate)}",
        // A kfunc's offset indexes the fd array for a module's BTF; 0 means vmlinux.
        CallSource.Kfunc when insn.Offset == 0 => string.Create(Invariant, $"call kfunc[btf_id:{insn.Immediate}]"),
        CallSource.Kfunc => string.Create(Invariant, $"call kfunc[btf_id:{insn.Immediate}, fd_idx:{insn.Offset}]"),
        _ => Unknown(insn),
    };

    private static string FormatLoad(in BpfInstruction insn)
    {
        string? type = insn.Mode switch
        {
            BpfMode.Mem => UnsignedType(insn.MemorySize),
            BpfMode.MemSx when insn.MemorySize != BpfSize.DW => "s" + (BpfOpCode.Bytes(insn.MemorySize) * 8).ToString(Invariant),
            _ => null,
        };
        return type is null ? Unknown(insn) : $"r{(int)insn.Dst} = *({type} *){Address(insn.Src, insn.Offset)}";
    }

    private static string FormatStoreImmediate(in BpfInstruction insn) =>
        insn.Mode == BpfMode.Mem
            ? string.Create(Invariant, $"*({UnsignedType(insn.MemorySize)} *){Address(insn.Dst, insn.Offset)} = {insn.Immediate}")
            : Unknown(insn);

    private static string FormatStoreRegister(in BpfInstruction insn)
    {
        string type = UnsignedType(insn.MemorySize);
        string memory = $"({type} *){Address(insn.Dst, insn.Offset)}";
        int src = (int)insn.Src;
        if (insn.Mode == BpfMode.Mem)
            return $"*{memory} = r{src}";
        if (insn.Mode != BpfMode.Atomic)
            return Unknown(insn);

        // The read-modify-write atomics name their width: atomic_ for 32 bits, atomic64_ for 64.
        string width = insn.MemorySize == BpfSize.DW ? "64" : "";
        return (AtomicOp)insn.Immediate switch
        {
            AtomicOp.Add => $"lock *{memory} += r{src}",
            AtomicOp.Or => $"lock *{memory} |= r{src}",
            AtomicOp.And => $"lock *{memory} &= r{src}",
            AtomicOp.Xor => $"lock *{memory} ^= r{src}",
            AtomicOp.FetchAdd => $"r{src} = atomic{width}_fetch_add({memory}, r{src})",
            AtomicOp.FetchOr => $"r{src} = atomic{width}_fetch_or({memory}, r{src})",
            AtomicOp.FetchAnd => $"r{src} = atomic{width}_fetch_and({memory}, r{src})",
            AtomicOp.FetchXor => $"r{src} = atomic{width}_fetch_xor({memory}, r{src})",
            AtomicOp.Exchange => $"r{src} = atomic{width}_xchg({memory}, r{src})",
            AtomicOp.CompareExchange => $"r0 = atomic{width}_cmpxchg({memory}, r0, r{src})",
            // Load-acquire reads through src into dst, unlike the other atomics.
            AtomicOp.LoadAcquire => $"r{(int)insn.Dst} = load_acquire(({type} *){Address(insn.Src, insn.Offset)})",
            AtomicOp.StoreRelease => $"store_release({memory}, r{src})",
            _ => string.Create(Invariant, $"unknown atomic operation 0x{insn.Immediate:x} on *{memory}"),
        };
    }

    private static string FormatLd(in BpfInstruction insn)
    {
        // Only the legacy packet loads remain in this class besides the 64-bit immediate; they
        // always load into R0 and exist for W, H and B.
        if (insn.MemorySize == BpfSize.DW)
            return Unknown(insn);
        string type = UnsignedType(insn.MemorySize);
        return insn.Mode switch
        {
            BpfMode.Abs => string.Create(Invariant, $"r0 = *({type} *)skb[{insn.Immediate}]"),
            BpfMode.Ind => string.Create(Invariant, $"r0 = *({type} *)skb[r{(int)insn.Src} + {insn.Immediate}]"),
            _ => insn.OpCode == 0 && insn.Dst == 0 && insn.Src == 0 && insn.Offset == 0
                ? $"(second half of ld_imm64: 0x{(uint)insn.Immediate:x})"
                : Unknown(insn),
        };
    }

    private static string FormatLoadImm64(in BpfInstruction first, BpfInstruction? second, bool translated)
    {
        string map = translated ? "id" : "fd";
        int dst = (int)first.Dst;
        int imm = first.Immediate;
        int next = second?.Immediate ?? 0;
        string value = (Imm64Source)first.Src switch
        {
            Imm64Source.Value => $"0x{(ulong)(uint)imm | (ulong)(uint)next << 32:x} ll",
            Imm64Source.MapFd => string.Create(Invariant, $"map[{map}:{imm}]"),
            Imm64Source.MapValue => string.Create(Invariant, $"map[{map}:{imm}][0]+{next}"),
            // A ksym's second immediate is the fd of a module's BTF, 0 for vmlinux.
            Imm64Source.BtfId when next == 0 => string.Create(Invariant, $"ksym[btf_id:{imm}]"),
            Imm64Source.BtfId => string.Create(Invariant, $"ksym[btf_id:{imm}, btf_fd:{next}]"),
            Imm64Source.Function => $"func[pc{Relative(imm)}]",
            Imm64Source.MapIndex => string.Create(Invariant, $"map[idx:{imm}]"),
            Imm64Source.MapIndexValue => string.Create(Invariant, $"map[idx:{imm}][0]+{next}"),
            _ => string.Create(Invariant, $"0x{(ulong)(uint)imm | (ulong)(uint)next << 32:x} ll (src {(int)first.Src})"),
        };
        return second is null ? $"r{dst} = {value} (first half)" : $"r{dst} = {value}";
    }

    private static string UnsignedType(BpfSize size) => size switch
    {
        BpfSize.B => "u8",
        BpfSize.H => "u16",
        BpfSize.W => "u32",
        _ => "u64",
    };

    // The kernel prints a memory operand as (rN +off) with an explicit sign.
    private static string Address(BpfRegister register, short offset) => $"(r{(int)register} {Relative(offset)})";

    private static string Relative(int value) => value.ToString("+0;-0", Invariant);

    private static string Unknown(in BpfInstruction insn) => $"unknown opcode 0x{insn.OpCode:x2}";
}
