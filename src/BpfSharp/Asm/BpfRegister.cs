namespace BpfSharp.Asm;

/// <summary>
/// The eleven BPF registers. On entry R1 holds the context; helper calls take arguments in
/// R1-R5, return in R0 and clobber R1-R5; R6-R9 survive calls; R10 is the read-only frame
/// pointer to the top of the 512-byte stack, so stack slots are at negative offsets from it.
/// </summary>
public enum BpfRegister : byte
{
    R0 = 0,
    R1 = 1,
    R2 = 2,
    R3 = 3,
    R4 = 4,
    R5 = 5,
    R6 = 6,
    R7 = 7,
    R8 = 8,
    R9 = 9,
    R10 = 10,

    /// <summary>R10, the read-only frame pointer.</summary>
    FramePointer = R10,
}
