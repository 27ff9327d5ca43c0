namespace BpfSharp.Asm;

// Loads, stores and atomics. Memory is always addressed as a register plus a signed 16-bit offset.
public sealed partial class BpfAssembler
{
    /// <summary><c>dst = *(u8/u16/u32/u64 *)(src + offset)</c>, zero-extended.</summary>
    public BpfAssembler Load(BpfRegister dst, BpfRegister src, short offset, BpfSize size) =>
        Emit(BpfOpCode.Memory(BpfClass.Ldx, BpfMode.Mem, size), dst, src, offset);

    /// <summary><c>dst = *(s8/s16/s32 *)(src + offset)</c>, sign-extended to 64 bits (Linux 6.6).</summary>
    public BpfAssembler LoadSignExtend(BpfRegister dst, BpfRegister src, short offset, BpfSize size)
    {
        if (size == BpfSize.DW)
            throw new ArgumentOutOfRangeException(nameof(size), size, "A sign-extending load is B, H or W wide.");
        return Emit(BpfOpCode.Memory(BpfClass.Ldx, BpfMode.MemSx, size), dst, src, offset);
    }

    /// <summary><c>*(size *)(dst + offset) = src</c>.</summary>
    public BpfAssembler Store(BpfRegister dst, short offset, BpfRegister src, BpfSize size) =>
        Emit(BpfOpCode.Memory(BpfClass.Stx, BpfMode.Mem, size), dst, src, offset);

    /// <summary><c>*(size *)(dst + offset) = imm</c>; a DW store sign-extends the immediate.</summary>
    public BpfAssembler StoreImm(BpfRegister dst, short offset, int imm, BpfSize size) =>
        Emit(BpfOpCode.Memory(BpfClass.St, BpfMode.Mem, size), dst, offset: offset, immediate: imm);

    /// <summary>
    /// Legacy packet load <c>r0 = ntoh(*(size *)skb[offset])</c> (<c>BPF_LD | BPF_ABS</c>), for socket
    /// filters and tc programs; R6 must hold the skb. An out-of-bounds offset ends the program returning 0.
    /// </summary>
    public BpfAssembler LoadAbsolute(BpfSize size, int offset) =>
        Emit(BpfOpCode.Memory(BpfClass.Ld, BpfMode.Abs, CheckPacketSize(size)), immediate: offset);

    /// <summary>Legacy packet load <c>r0 = ntoh(*(size *)skb[src + offset])</c> (<c>BPF_LD | BPF_IND</c>).</summary>
    public BpfAssembler LoadIndirect(BpfSize size, BpfRegister src, int offset) =>
        Emit(BpfOpCode.Memory(BpfClass.Ld, BpfMode.Ind, CheckPacketSize(size)), src: src, immediate: offset);

    /// <summary>
    /// An atomic operation on <c>*(size *)(dst + offset)</c> with operand src
    /// (<c>BPF_STX | BPF_ATOMIC</c>). Read-modify-write operations take W or DW; the fetching ones
    /// write the old value back into src (<see cref="AtomicOp.CompareExchange"/>: into R0).
    /// For <see cref="AtomicOp.LoadAcquire"/> the roles turn: dst receives, src + offset is read.
    /// </summary>
    public BpfAssembler Atomic(AtomicOp op, BpfRegister dst, short offset, BpfRegister src, BpfSize size)
    {
        bool ordering = op is AtomicOp.LoadAcquire or AtomicOp.StoreRelease;
        if (!ordering && size is not (BpfSize.W or BpfSize.DW))
            throw new ArgumentOutOfRangeException(nameof(size), size, "Atomic read-modify-write operations are W or DW wide.");
        return Emit(BpfOpCode.Memory(BpfClass.Stx, BpfMode.Atomic, size), dst, src, offset, (int)op);
    }

    /// <summary><c>lock *(size *)(dst + offset) += src</c>.</summary>
    public BpfAssembler AtomicAdd(BpfRegister dst, short offset, BpfRegister src, BpfSize size) =>
        Atomic(AtomicOp.Add, dst, offset, src, size);

    /// <summary><c>src = xchg(dst + offset, src)</c> (Linux 5.12).</summary>
    public BpfAssembler AtomicExchange(BpfRegister dst, short offset, BpfRegister src, BpfSize size) =>
        Atomic(AtomicOp.Exchange, dst, offset, src, size);

    /// <summary><c>r0 = cmpxchg(dst + offset, r0, src)</c>: store src if memory equals R0; R0 gets the old value (Linux 5.12).</summary>
    public BpfAssembler AtomicCompareExchange(BpfRegister dst, short offset, BpfRegister src, BpfSize size) =>
        Atomic(AtomicOp.CompareExchange, dst, offset, src, size);

    /// <summary><c>dst = load_acquire((size *)(src + offset))</c> (Linux 6.15).</summary>
    public BpfAssembler LoadAcquire(BpfRegister dst, BpfRegister src, short offset, BpfSize size) =>
        Atomic(AtomicOp.LoadAcquire, dst, offset, src, size);

    /// <summary><c>store_release((size *)(dst + offset), src)</c> (Linux 6.15).</summary>
    public BpfAssembler StoreRelease(BpfRegister dst, short offset, BpfRegister src, BpfSize size) =>
        Atomic(AtomicOp.StoreRelease, dst, offset, src, size);

    private static BpfSize CheckPacketSize(BpfSize size) =>
        size != BpfSize.DW ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "Legacy packet loads are B, H or W wide.");
}
