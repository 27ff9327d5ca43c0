namespace BpfSharp.Asm;

// The 64-bit immediate load (BPF_LD | BPF_IMM | BPF_DW) takes two slots: the first holds the low
// 32 bits, the second (all other fields zero) the high 32 bits. Its source field says whether the
// value is a constant or a reference the kernel resolves at load time (map, ksym, function).
public sealed partial class BpfAssembler
{
    /// <summary><c>dst = value ll</c>: any 64-bit constant, in two slots.</summary>
    public BpfAssembler LoadImm64(BpfRegister dst, long value) =>
        LoadImm64(dst, Imm64Source.Value, (int)value, (int)(value >> 32));

    /// <summary>A 64-bit immediate load of any kind, with both immediates given as they are encoded.</summary>
    public BpfAssembler LoadImm64(BpfRegister dst, Imm64Source source, int imm, int nextImm)
    {
        Emit(BpfOpCode.LoadImm64, dst, (BpfRegister)source, immediate: imm);
        return Emit(0, immediate: nextImm);
    }

    /// <summary>
    /// <c>dst = map</c>, the map with file descriptor <paramref name="fd"/> in the loading process
    /// (<c>BPF_PSEUDO_MAP_FD</c>); the fd must stay open until the program is loaded.
    /// </summary>
    public BpfAssembler LoadMapFd(BpfRegister dst, int fd) =>
        LoadImm64(dst, Imm64Source.MapFd, fd, 0);

    /// <summary>
    /// <c>dst = &amp;value + offset</c>: a pointer into the single value of an array map with one entry
    /// (<c>BPF_PSEUDO_MAP_VALUE</c>, as used for global variables; Linux 5.2).
    /// </summary>
    public BpfAssembler LoadMapValue(BpfRegister dst, int fd, int offset) =>
        LoadImm64(dst, Imm64Source.MapValue, fd, offset);

    /// <summary><c>dst = map</c> by position in the fd array passed with the program (<c>BPF_PSEUDO_MAP_IDX</c>, Linux 5.14).</summary>
    public BpfAssembler LoadMapByIndex(BpfRegister dst, int index) =>
        LoadImm64(dst, Imm64Source.MapIndex, index, 0);

    /// <summary>Like <see cref="LoadMapValue"/> with an fd array index (<c>BPF_PSEUDO_MAP_IDX_VALUE</c>, Linux 5.14).</summary>
    public BpfAssembler LoadMapValueByIndex(BpfRegister dst, int index, int offset) =>
        LoadImm64(dst, Imm64Source.MapIndexValue, index, offset);

    /// <summary>
    /// <c>dst = &amp;ksym</c>: the address of a kernel variable by its BTF id (<c>BPF_PSEUDO_BTF_ID</c>,
    /// Linux 5.10). <paramref name="moduleBtfFd"/> is 0 for vmlinux, or the fd of a module's BTF.
    /// </summary>
    public BpfAssembler LoadKernelSymbol(BpfRegister dst, int btfId, int moduleBtfFd = 0) =>
        LoadImm64(dst, Imm64Source.BtfId, btfId, moduleBtfFd);

    /// <summary>
    /// <c>dst = &amp;function</c> for the bpf-to-bpf function at <paramref name="label"/>, to pass as a
    /// callback (to bpf_loop, bpf_for_each_map_elem...; <c>BPF_PSEUDO_FUNC</c>, Linux 5.13).
    /// </summary>
    public BpfAssembler LoadFunction(BpfRegister dst, string label)
    {
        EmitToLabel(label, FixupField.Immediate, BpfOpCode.LoadImm64, dst, (BpfRegister)Imm64Source.Function);
        return Emit(0);
    }
}
