namespace BpfSharp;

/// <summary>What the kernel reports about a loaded program (BPF_OBJ_GET_INFO_BY_FD).</summary>
/// <param name="Tag">The hash of the program's instructions, as 16 hex digits (what bpftool shows).</param>
/// <param name="RunCount">Runs counted while run-time statistics were enabled (see <see cref="BpfProgram.EnableRunTimeStatistics"/>).</param>
/// <param name="RunTime">Total run time counted likewise.</param>
public sealed record BpfProgramInfo(
    uint Id,
    BpfProgramType Type,
    string Name,
    string Tag,
    IReadOnlyList<uint> MapIds,
    ulong RunCount,
    TimeSpan RunTime,
    uint BtfId,
    int TranslatedSize,
    int JitedSize,
    uint CreatedByUid,
    uint VerifiedInstructions,
    bool GplCompatible,
    uint AttachBtfObjectId,
    uint AttachBtfId,
    ulong RecursionMisses);
