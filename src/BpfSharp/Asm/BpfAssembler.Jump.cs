namespace BpfSharp.Asm;

// Control flow. A jump's 16-bit offset, and a bpf-to-bpf call's immediate, count instructions
// from the one after the jump; Build() computes them from labels.
public sealed partial class BpfAssembler
{
    /// <summary><c>goto label</c>, within 32767 instructions either way.</summary>
    public BpfAssembler Jump(string label) =>
        EmitToLabel(label, FixupField.Offset, BpfOpCode.Goto);

    /// <summary><c>gotol label</c>: an unconditional jump with a 32-bit distance (ISA v4, Linux 6.6).</summary>
    public BpfAssembler JumpLong(string label) =>
        EmitToLabel(label, FixupField.Immediate, BpfOpCode.GotoLong);

    /// <summary><c>if dst op imm goto label</c>, comparing 64 bits with the sign-extended immediate.</summary>
    public BpfAssembler JumpIf(JumpOp op, BpfRegister dst, int imm, string label) =>
        EmitToLabel(label, FixupField.Offset, Conditional(BpfClass.Jmp, op, BpfSource.Immediate), dst, immediate: imm);

    /// <summary><c>if dst op src goto label</c>, comparing 64 bits.</summary>
    public BpfAssembler JumpIf(JumpOp op, BpfRegister dst, BpfRegister src, string label) =>
        EmitToLabel(label, FixupField.Offset, Conditional(BpfClass.Jmp, op, BpfSource.Register), dst, src);

    /// <summary><c>if wdst op imm goto label</c>, comparing the low 32 bits (Linux 5.1).</summary>
    public BpfAssembler JumpIf32(JumpOp op, BpfRegister dst, int imm, string label) =>
        EmitToLabel(label, FixupField.Offset, Conditional(BpfClass.Jmp32, op, BpfSource.Immediate), dst, immediate: imm);

    /// <summary><c>if wdst op wsrc goto label</c>, comparing the low 32 bits (Linux 5.1).</summary>
    public BpfAssembler JumpIf32(JumpOp op, BpfRegister dst, BpfRegister src, string label) =>
        EmitToLabel(label, FixupField.Offset, Conditional(BpfClass.Jmp32, op, BpfSource.Register), dst, src);

    /// <summary>Calls a kernel helper: arguments in R1-R5, result in R0; R1-R5 are clobbered.</summary>
    public BpfAssembler Call(BpfHelper helper) =>
        Emit(BpfOpCode.Call, src: (BpfRegister)CallSource.Helper, immediate: (int)helper);

    /// <summary>
    /// A bpf-to-bpf call to the function starting at <paramref name="label"/>; its <c>exit</c>
    /// returns here. The callee gets a fresh stack frame; R6-R9 are preserved across the call.
    /// </summary>
    public BpfAssembler CallFunction(string label) =>
        EmitToLabel(label, FixupField.Immediate, BpfOpCode.Call, src: (BpfRegister)CallSource.Function);

    /// <summary>
    /// Calls a kernel function (kfunc) by its BTF id (Linux 5.13). <paramref name="btfFdIndex"/> is 0
    /// for a function in vmlinux, or the position in the program's fd array of a module's BTF fd.
    /// </summary>
    public BpfAssembler CallKfunc(int btfId, short btfFdIndex = 0) =>
        Emit(BpfOpCode.Call, src: (BpfRegister)CallSource.Kfunc, offset: btfFdIndex, immediate: btfId);

    /// <summary>Returns from the program, or from a bpf-to-bpf function, with the value in R0.</summary>
    public BpfAssembler Exit() => Emit(BpfOpCode.Exit);

    private static byte Conditional(BpfClass cls, JumpOp op, BpfSource source) =>
        op is JumpOp.Ja or JumpOp.Call or JumpOp.Exit or JumpOp.Cond
            ? throw new ArgumentOutOfRangeException(nameof(op), op, "A conditional jump needs a comparison (Eq, Gt, Ge, Set, Ne, SGt, SGe, Lt, Le, SLt, SLe).")
            : BpfOpCode.Jump(cls, op, source);
}
