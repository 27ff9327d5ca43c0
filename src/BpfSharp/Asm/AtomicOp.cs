namespace BpfSharp.Asm;

/// <summary>
/// The operation of a <c>BPF_STX | BPF_ATOMIC</c> instruction, held in its immediate. The
/// read-modify-write operations exist for <see cref="BpfSize.W"/> and <see cref="BpfSize.DW"/> only;
/// load-acquire and store-release also for <see cref="BpfSize.B"/> and <see cref="BpfSize.H"/>.
/// </summary>
public enum AtomicOp
{
    /// <summary><c>lock *(dst + off) += src</c>.</summary>
    Add = 0x00,
    /// <summary><c>lock *(dst + off) |= src</c>.</summary>
    Or = 0x40,
    /// <summary><c>lock *(dst + off) &amp;= src</c>.</summary>
    And = 0x50,
    /// <summary><c>lock *(dst + off) ^= src</c>.</summary>
    Xor = 0xa0,

    // BPF_FETCH (0x01) also writes the old memory value back into src (Linux 5.12).
    /// <c>src = atomic_fetch_add(dst + off, src)</c> (Linux 5.12).
    FetchAdd = Add | Fetch,
    /// <c>src = atomic_fetch_or(dst + off, src)</c> (Linux 5.12).
    FetchOr = Or | Fetch,
    /// <c>src = atomic_fetch_and(dst + off, src)</c> (Linux 5.12).
    FetchAnd = And | Fetch,
    /// <c>src = atomic_fetch_xor(dst + off, src)</c> (Linux 5.12).
    FetchXor = Xor | Fetch,

    /// <summary><c>BPF_FETCH</c>: the modifier bit that makes an operation return the old value.</summary>
    Fetch = 0x01,
    /// <summary><c>BPF_XCHG</c>: swap src with memory (implies fetch).</summary>
    Exchange = 0xe0 | Fetch,
    /// <summary><c>BPF_CMPXCHG</c>: if memory equals R0 store src; R0 gets the old value either way (implies fetch).</summary>
    CompareExchange = 0xf0 | Fetch,

    /// <summary><c>BPF_LOAD_ACQ</c>: <c>dst = load_acquire(src + off)</c> (Linux 6.15).</summary>
    LoadAcquire = 0x100,
    /// <summary><c>BPF_STORE_REL</c>: <c>store_release(dst + off, src)</c> (Linux 6.15).</summary>
    StoreRelease = 0x110,
}
