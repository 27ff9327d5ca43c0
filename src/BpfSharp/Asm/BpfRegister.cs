namespace BpfSharp.Asm;

/// <summary>
/// The eleven BPF registers. On entry R1 holds the context; helper calls take arguments in
/// R1-R5, return in R0 and clobber R1-R5; R6-R9 survive calls; R10 is the read-only frame
/// pointer to the top of the 512-byte stack, so stack slots are at negative offsets from it.
/// </summary>
public enum BpfRegister : byte
{
    /// <summary>R0: the return value of helpers, functions and the program.</summary>
    R0 = 0,
    /// <summary>R1: the first argument; the context on entry.</summary>
    R1 = 1,
    /// <summary>R2: the second argument (clobbered by calls).</summary>
    R2 = 2,
    /// <summary>R3: the third argument (clobbered by calls).</summary>
    R3 = 3,
    /// <summary>R4: the fourth argument (clobbered by calls).</summary>
    R4 = 4,
    /// <summary>R5: the fifth argument (clobbered by calls).</summary>
    R5 = 5,
    /// <summary>R6: callee-saved.</summary>
    R6 = 6,
    /// <summary>R7: callee-saved.</summary>
    R7 = 7,
    /// <summary>R8: callee-saved.</summary>
    R8 = 8,
    /// <summary>R9: callee-saved.</summary>
    R9 = 9,
    /// <summary>R10: the read-only frame pointer (see <see cref="FramePointer"/>).</summary>
    R10 = 10,

    /// <summary>R10, the read-only frame pointer.</summary>
    FramePointer = R10,
}
