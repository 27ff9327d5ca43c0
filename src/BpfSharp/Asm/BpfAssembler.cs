namespace BpfSharp.Asm;

/// <summary>
/// Writes a BPF program instruction by instruction, with named labels for jumps and bpf-to-bpf
/// calls that are resolved by <see cref="Build"/>. Every method appends and returns the assembler,
/// so a program reads as one chain:
/// <code>
/// var program = new BpfAssembler()
///     .Mov64(R0, 0).JumpIf(JumpOp.Eq, R1, 0, "out").Mov64(R0, 1)
///     .Label("out").Exit()
///     .Build();
/// </code>
/// </summary>
public sealed partial class BpfAssembler
{
    private const string Operation = "BPF assembly";

    private readonly List<BpfInstruction> _instructions = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);
    private readonly List<Fixup> _fixups = [];

    /// <summary>Where a label's relative distance goes once it is known.</summary>
    private enum FixupField { Offset, Immediate }

    private readonly record struct Fixup(int Index, string Label, FixupField Field);

    /// <summary>The number of instruction slots written so far (a 64-bit immediate load counts two).</summary>
    public int Count => _instructions.Count;

    /// <summary>Names the position of the next instruction, as a target for jumps and calls.</summary>
    /// <exception cref="ArgumentException">The label is empty or already defined.</exception>
    public BpfAssembler Label(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_labels.TryAdd(name, _instructions.Count))
            throw new ArgumentException($"Label \"{name}\" is already defined (at instruction {_labels[name]}).", nameof(name));
        return this;
    }

    /// <summary>Appends an instruction exactly as given; nothing is checked.</summary>
    public BpfAssembler Raw(BpfInstruction instruction)
    {
        _instructions.Add(instruction);
        return this;
    }

    /// <summary>
    /// The program, with every label reference replaced by its distance from the instruction after
    /// the referring one (the kernel's rule for jump offsets and call immediates). The assembler
    /// is left as it was, so it can go on and be built again.
    /// </summary>
    /// <exception cref="BpfException">
    /// A label is referenced but never defined, marks the end of the program where no instruction
    /// follows, or is too far for a 16-bit jump offset (use <see cref="JumpLong"/> for an unconditional jump).
    /// </exception>
    public BpfInstruction[] Build()
    {
        var program = _instructions.ToArray();
        foreach (var fixup in _fixups)
        {
            if (!_labels.TryGetValue(fixup.Label, out int target))
                throw new BpfException(Operation, $"instruction {fixup.Index} ({program[fixup.Index]}) refers to label \"{fixup.Label}\", which is not defined.");
            if (target == program.Length)
                throw new BpfException(Operation, $"label \"{fixup.Label}\" marks the end of the program; no instruction follows it.");

            int distance = target - (fixup.Index + 1);
            var insn = program[fixup.Index];
            if (fixup.Field == FixupField.Immediate)
            {
                program[fixup.Index] = insn with { Immediate = distance };
            }
            else
            {
                if (distance is < short.MinValue or > short.MaxValue)
                    throw new BpfException(Operation, $"instruction {fixup.Index} jumps {distance} instructions to label \"{fixup.Label}\", beyond the 16-bit offset range ({short.MinValue}..{short.MaxValue}).");
                program[fixup.Index] = insn with { Offset = (short)distance };
            }
        }
        return program;
    }

    private BpfAssembler Emit(byte opCode, BpfRegister dst = BpfRegister.R0, BpfRegister src = BpfRegister.R0, short offset = 0, int immediate = 0)
    {
        _instructions.Add(new BpfInstruction(opCode, dst, src, offset, immediate));
        return this;
    }

    /// <summary>Emits an instruction whose offset or immediate is the distance to <paramref name="label"/>, filled in by <see cref="Build"/>.</summary>
    private BpfAssembler EmitToLabel(string label, FixupField field, byte opCode, BpfRegister dst = BpfRegister.R0, BpfRegister src = BpfRegister.R0, int immediate = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var insn = new BpfInstruction(opCode, dst, src, 0, immediate); // may throw: then nothing is recorded
        _fixups.Add(new Fixup(_instructions.Count, label, field));
        return Raw(insn);
    }
}
