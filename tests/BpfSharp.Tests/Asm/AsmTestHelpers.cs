using BpfSharp.Asm;

namespace BpfSharp.Tests.Asm;

internal static class AsmTestHelpers
{
    /// <summary>Instructions as lowercase hex bytes separated by spaces, the way objdump shows them.</summary>
    public static string Hex(ReadOnlySpan<BpfInstruction> program) =>
        string.Join(' ', BpfInstruction.AsBytes(program).ToArray().Select(b => b.ToString("x2")));

    public static BpfInstruction[] Parse(string hex)
    {
        var bytes = hex.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(b => Convert.ToByte(b, 16)).ToArray();
        return BpfInstruction.FromBytes(bytes).ToArray();
    }

    /// <summary>The bytes of whatever <paramref name="emit"/> writes into an empty assembler.</summary>
    public static string Assemble(Func<BpfAssembler, BpfAssembler> emit) => Hex(emit(new BpfAssembler()).Build());

    /// <summary>
    /// The one instruction <paramref name="emit"/> writes, when it refers to label "t" placed so that
    /// the distance is <paramref name="distance"/>: padding goes between the jump and the label.
    /// </summary>
    public static string AssembleJump(int distance, Func<BpfAssembler, BpfAssembler> emit)
    {
        var asm = new BpfAssembler();
        if (distance < 0)
        {
            // The target is the jump's index + 1 + distance, so the label goes -distance - 1 slots before it.
            asm.Label("t");
            Pad(asm, -distance - 1);
        }
        int start = asm.Count;
        emit(asm);
        int length = asm.Count - start;
        if (distance >= 0)
        {
            Pad(asm, distance - (length - 1)); // a two-slot instruction covers one slot of the distance itself
            asm.Label("t");
        }
        asm.Exit(); // something for a label at the end to point at
        return Hex(asm.Build().AsSpan(start, length));
    }

    public static void Pad(BpfAssembler asm, int count)
    {
        for (int i = 0; i < count; i++)
            asm.Mov64(BpfRegister.R0, 0);
    }
}
