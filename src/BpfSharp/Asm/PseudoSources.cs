namespace BpfSharp.Asm;

/// <summary>
/// What a 64-bit immediate load (<c>BPF_LD | BPF_IMM | BPF_DW</c>) means, held in its source field
/// (the kernel's <c>BPF_PSEUDO_*</c> values). The loader resolves all but <see cref="Value"/> at load time.
/// </summary>
public enum Imm64Source : byte
{
    /// <summary>A plain constant: <c>dst = next_imm &lt;&lt; 32 | imm</c>.</summary>
    Value = 0,
    /// <summary><c>BPF_PSEUDO_MAP_FD</c>: imm is a map fd; dst becomes a pointer to the map.</summary>
    MapFd = 1,
    /// <summary><c>BPF_PSEUDO_MAP_VALUE</c>: imm is a map fd, next_imm an offset into its (single) value.</summary>
    MapValue = 2,
    /// <summary><c>BPF_PSEUDO_BTF_ID</c>: imm is the BTF id of a kernel variable (ksym).</summary>
    BtfId = 3,
    /// <summary><c>BPF_PSEUDO_FUNC</c>: imm is the relative offset of a bpf-to-bpf function (a callback).</summary>
    Function = 4,
    /// <summary><c>BPF_PSEUDO_MAP_IDX</c>: imm indexes the fd array passed with the program (Linux 5.14).</summary>
    MapIndex = 5,
    /// <summary><c>BPF_PSEUDO_MAP_IDX_VALUE</c>: like <see cref="MapValue"/> with a fd array index.</summary>
    MapIndexValue = 6,
}

/// <summary>What a <c>call</c> instruction calls, held in its source field.</summary>
public enum CallSource : byte
{
    /// <summary>A kernel helper, by its <see cref="BpfHelper"/> id in imm.</summary>
    Helper = 0,
    /// <summary><c>BPF_PSEUDO_CALL</c>: a bpf-to-bpf call; imm is the callee's offset from the next instruction.</summary>
    Function = 1,
    /// <summary><c>BPF_PSEUDO_KFUNC_CALL</c>: a kernel function by its BTF id in imm (Linux 5.13).</summary>
    Kfunc = 2,
}
