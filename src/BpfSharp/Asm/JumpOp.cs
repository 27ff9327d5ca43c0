namespace BpfSharp.Asm;

/// <summary>Jump operations (<c>BPF_OP</c> of the jump classes, bits 4-7). Comparisons without an S are unsigned.</summary>
public enum JumpOp : byte
{
    /// <summary>Unconditional jump: <c>goto</c> by the offset (JMP), or <c>gotol</c> by the immediate (JMP32).</summary>
    Ja = 0x00,
    /// <summary>Jump if <c>dst == src</c>.</summary>
    Eq = 0x10,
    /// <summary>Jump if <c>dst &gt; src</c> (unsigned).</summary>
    Gt = 0x20,
    /// <summary>Jump if <c>dst &gt;= src</c> (unsigned).</summary>
    Ge = 0x30,
    /// <summary>Jump if <c>dst &amp; src</c> is non-zero.</summary>
    Set = 0x40,
    /// <summary>Jump if <c>dst != src</c>.</summary>
    Ne = 0x50,
    /// <summary>Jump if <c>dst s&gt; src</c> (signed).</summary>
    SGt = 0x60,
    /// <summary>Jump if <c>dst s&gt;= src</c> (signed).</summary>
    SGe = 0x70,
    /// <summary>A call: the source field says to what (see <see cref="CallSource"/>).</summary>
    Call = 0x80,
    /// <summary>Return from the program or from a bpf-to-bpf function, with the value in R0.</summary>
    Exit = 0x90,
    /// <summary>Jump if <c>dst &lt; src</c> (unsigned).</summary>
    Lt = 0xa0,
    /// <summary>Jump if <c>dst &lt;= src</c> (unsigned).</summary>
    Le = 0xb0,
    /// <summary>Jump if <c>dst s&lt; src</c> (signed).</summary>
    SLt = 0xc0,
    /// <summary>Jump if <c>dst s&lt;= src</c> (signed).</summary>
    SLe = 0xd0,
    /// <summary><c>BPF_JCOND</c>: with source 0, <c>may_goto</c> (Linux 6.9).</summary>
    Cond = 0xe0,
}
