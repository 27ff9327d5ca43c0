namespace BpfSharp.Elf;

/// <summary>The target architecture (<c>e_machine</c>). Values not listed here are kept as their number.</summary>
public enum ElfMachine : ushort
{
    /// <c>EM_NONE</c>: no machine.
    None = 0,
    /// <c>EM_386</c>: 32-bit x86.
    I386 = 3,
    /// <c>EM_MIPS</c>: MIPS.
    Mips = 8,
    /// <c>EM_PPC</c>: 32-bit PowerPC.
    PowerPC = 20,
    /// <c>EM_PPC64</c>: 64-bit PowerPC.
    PowerPC64 = 21,
    /// <c>EM_S390</c>: IBM S/390 and z/Architecture.
    S390 = 22,
    /// <c>EM_ARM</c>: 32-bit Arm.
    Arm = 40,
    /// <summary><c>EM_X86_64</c>.</summary>
    Amd64 = 62,
    /// <summary><c>EM_AARCH64</c>.</summary>
    Arm64 = 183,
    /// <c>EM_RISCV</c>: RISC-V.
    RiscV = 243,
    /// <summary><c>EM_BPF</c>: the target of <c>clang -target bpf</c>.</summary>
    Bpf = 247,
    /// <c>EM_LOONGARCH</c>: LoongArch.
    LoongArch = 258,
}
