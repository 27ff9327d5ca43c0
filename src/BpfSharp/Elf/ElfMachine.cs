namespace BpfSharp.Elf;

/// <summary>The target architecture (<c>e_machine</c>). Values not listed here are kept as their number.</summary>
public enum ElfMachine : ushort
{
    None = 0,
    I386 = 3,
    Mips = 8,
    PowerPC = 20,
    PowerPC64 = 21,
    S390 = 22,
    Arm = 40,
    /// <summary><c>EM_X86_64</c>.</summary>
    Amd64 = 62,
    /// <summary><c>EM_AARCH64</c>.</summary>
    Arm64 = 183,
    RiscV = 243,
    /// <summary><c>EM_BPF</c>: the target of <c>clang -target bpf</c>.</summary>
    Bpf = 247,
    LoongArch = 258,
}
