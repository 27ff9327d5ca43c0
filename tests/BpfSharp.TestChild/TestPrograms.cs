using BpfSharp.Asm;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.TestChild;

/// <summary>Programs the tests attach: each counts its runs in slot 0 of an array map.</summary>
public static class TestPrograms
{
    /// <summary>An array map with one 8-byte counter.</summary>
    public static BpfMap CounterMap(string name = "t_counter") =>
        BpfMap.Create(BpfMapType.Array, 4, 8, 1, new BpfMapCreateOptions { Name = name });

    /// <summary>Instructions that add 1 to counts[0] and return <paramref name="returnValue"/>; valid for any program type.</summary>
    public static BpfInstruction[] Counting(BpfMap counts, int returnValue = 0) => new BpfAssembler()
        .StoreImm(R10, -4, 0, BpfSize.W)
        .Mov64(R2, R10).Add64(R2, -4)
        .LoadMapFd(R1, counts)
        .Call(BpfHelper.MapLookupElem)
        .JumpIf(JumpOp.Eq, R0, 0, "out")
        .Mov64(R1, 1)
        .AtomicAdd(R0, 0, R1, BpfSize.DW)
        .Label("out").Mov64(R0, returnValue).Exit()
        .Build();

    /// <summary>Like <see cref="Counting"/>, adding the attach cookie (<c>bpf_get_attach_cookie</c>) instead of 1.</summary>
    public static BpfInstruction[] CountingCookie(BpfMap counts) => new BpfAssembler()
        .Mov64(R6, R1)
        .StoreImm(R10, -4, 0, BpfSize.W)
        .Mov64(R2, R10).Add64(R2, -4)
        .LoadMapFd(R1, counts)
        .Call(BpfHelper.MapLookupElem)
        .JumpIf(JumpOp.Eq, R0, 0, "out")
        .Mov64(R7, R0)
        .Mov64(R1, R6)
        .Call(BpfHelper.GetAttachCookie)
        .AtomicAdd(R7, 0, R0, BpfSize.DW)
        .Label("out").Mov64(R0, 0).Exit()
        .Build();

    /// <summary>A <see cref="Counting"/> program, with the attach type and target its kind needs.</summary>
    public static BpfProgram Load(BpfProgramType type, BpfMap counts, BpfAttachType? attachType = null, string? target = null,
        int returnValue = 0, string name = "t_count") =>
        BpfProgram.Load(type, Counting(counts, returnValue), new BpfProgramLoadOptions
        {
            Name = name,
            ExpectedAttachType = attachType,
            AttachTarget = target,
        });
}
