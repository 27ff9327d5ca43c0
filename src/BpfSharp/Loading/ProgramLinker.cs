using System.Buffers.Binary;
using BpfSharp.Asm;
using BpfSharp.Elf;

namespace BpfSharp;

/// <summary>A program ready to load: its instructions with every subprogram it calls appended, and its BTF records.</summary>
internal sealed record LinkedProgram(BpfInstruction[] Instructions, byte[] FuncInfo, byte[] LineInfo,
    IReadOnlyDictionary<int, string> PoisonedRelocations, IReadOnlySet<string> Externs);

/// <summary>
/// Relocates and links one program of an object: map and global data references become map fds and
/// value addresses, and every subprogram it calls (or passes as a callback) is appended once, with the
/// call offsets and the func/line info records moved to match.
/// </summary>
internal sealed class ProgramLinker
{
    private const byte LoadImm64 = 0x18, Call = 0x85;

    private readonly ObjectParser _obj;
    private readonly Func<ElfSymbol, BpfObjectMap?> _mapOfSymbol;
    private readonly List<BpfInstruction> _out = [];
    private readonly List<(CodeFunction Function, int At)> _placed = [];
    private readonly Queue<CodeFunction> _pending = new();
    private readonly List<(int At, int Section, int Target)> _fixups = [];
    private readonly Btf.CoreRelocator? _core;
    private readonly Dictionary<int, string> _poisoned = [];
    private readonly HashSet<string> _externs = [];

    /// <summary>The invalid helper id a poisoned instruction calls (libbpf's, so logs read the same).</summary>
    public const int PoisonHelper = 0xbad2310;

    private ProgramLinker(ObjectParser obj, Func<ElfSymbol, BpfObjectMap?> mapOfSymbol, Btf.CoreRelocator? core)
    {
        _obj = obj;
        _mapOfSymbol = mapOfSymbol;
        _core = core;
    }

    public static LinkedProgram Link(ObjectParser obj, BpfObjectProgram prog, Func<ElfSymbol, BpfObjectMap?> mapOfSymbol, Btf.CoreRelocator? core = null)
    {
        var linker = new ProgramLinker(obj, mapOfSymbol, core);
        var main = obj.Functions[prog.SectionIndex].First(f => f.Start == prog.Start && f.Name == prog.Name);
        linker.Place(main);
        while (linker._pending.TryDequeue(out var next))
            if (!linker._placed.Any(p => p.Function == next)) linker.Place(next);
        linker.ApplyFixups();
        var (func, line) = linker.ExtInfo();
        return new LinkedProgram(linker._out.ToArray(), func, line, linker._poisoned, linker._externs);
    }

    private string SectionName(int index) => _obj.Elf.Sections[index].Name;

    private BpfFormatException Error(CodeFunction fn, int insn, string message) =>
        new($"BPF object {_obj.ObjectName}", $"{fn.Name} instruction {insn - fn.Start}: {message}");

    private void Place(CodeFunction fn)
    {
        int at = _out.Count;
        _placed.Add((fn, at));
        PlaceInstructions(fn);
        ApplyCore(fn, at);
    }

    private void PlaceInstructions(CodeFunction fn)
    {
        var code = _obj.Code[fn.SectionIndex];
        _obj.Relocations.TryGetValue(fn.SectionIndex, out var relocs);
        for (int i = fn.Start; i < fn.Start + fn.Count; i++)
        {
            var insn = code[i];
            int outIndex = _out.Count;
            if (relocs is not null && relocs.TryGetValue(i, out var r))
            {
                if (insn.OpCode == LoadImm64 && i + 1 >= fn.Start + fn.Count) throw Error(fn, i, "a 64-bit load cut in half");
                insn = Relocate(fn, i, insn, r.Symbol, code);
            }
            else if (insn.OpCode == Call && insn.Src == (BpfRegister)1)
            {
                // A call within the same section that clang resolved itself.
                Require(fn, i, fn.SectionIndex, i + insn.Immediate + 1);
                _fixups.Add((outIndex, fn.SectionIndex, i + insn.Immediate + 1));
            }
            _out.Add(insn);
            if (insn.OpCode == LoadImm64 && i + 1 < fn.Start + fn.Count)
            {
                i++;
                var second = code[i];
                if (_pendingSecondImm is int imm) second = second with { Immediate = imm };
                _pendingSecondImm = null;
                _out.Add(second);
            }
        }
    }

    private int? _pendingSecondImm;

    /// <summary>Applies the CO-RE relocations of a placed function to its copied instructions.</summary>
    private void ApplyCore(CodeFunction fn, int at)
    {
        if (_obj.BtfExt is not { } ext || !ext.CoreRelocations.TryGetValue(SectionName(fn.SectionIndex), out var relocs)) return;
        foreach (var relo in relocs)
        {
            int index = relo.InstructionOffset / 8;
            if (relo.InstructionOffset % 8 != 0 || index < fn.Start || index >= fn.Start + fn.Count) continue;
            if (_core is null) throw Error(fn, index, "CO-RE relocations need the kernel's BTF");
            int outIndex = at + index - fn.Start;
            var result = _core.Relocate(relo);
            if (result.Poison)
            {
                bool wide = _out[outIndex].OpCode == LoadImm64;
                _out[outIndex] = new BpfInstruction(Call, 0, 0, 0, PoisonHelper);
                if (wide) _out[outIndex + 1] = new BpfInstruction(0xbf, 0, 0, 0, 0); // r0 = r0: keeps the slot valid
                _poisoned[outIndex] = result.Description;
                continue;
            }
            _out[outIndex] = Patch(fn, index, _out[outIndex], outIndex, result);
        }
    }

    /// <summary>Writes a CO-RE result into an instruction: an ALU immediate, a memory offset (and size), or a 64-bit constant.</summary>
    private BpfInstruction Patch(CodeFunction fn, int index, BpfInstruction insn, int outIndex, Btf.CoreResult r)
    {
        int cls = insn.OpCode & 0x07;
        switch (cls)
        {
            case 0x04 or 0x07 when (insn.OpCode & 0x08) == 0: // ALU/ALU64 with an immediate
                if (r.Validate && (ulong)(uint)insn.Immediate != (uint)r.LocalValue)
                    throw Error(fn, index, $"CO-RE {r.Description}: the instruction holds {insn.Immediate}, not the local value {r.LocalValue}");
                return insn with { Immediate = checked((int)r.TargetValue) };
            case 0x00 when insn.OpCode == LoadImm64: // a 64-bit constant (enum values, type ids)
                _out[outIndex + 1] = _out[outIndex + 1] with { Immediate = (int)(r.TargetValue >> 32) };
                return insn with { Immediate = (int)(uint)r.TargetValue };
            case 0x01 or 0x02 or 0x03: // LDX, ST, STX: the field offset is the instruction's offset
                if (r.Validate && (long)insn.Offset != (long)r.LocalValue)
                    throw Error(fn, index, $"CO-RE {r.Description}: the instruction's offset is {insn.Offset}, not the local value {r.LocalValue}");
                if (r.TargetValue > (ulong)short.MaxValue) throw Error(fn, index, $"CO-RE {r.Description}: offset {r.TargetValue} does not fit");
                var patched = insn with { Offset = (short)r.TargetValue };
                // A field whose size differs in the kernel is loaded with the kernel's size.
                if (r.TargetFieldSize != r.LocalFieldSize && r.TargetFieldSize is 1 or 2 or 4 or 8 && cls == 0x01)
                {
                    int sizeBits = r.TargetFieldSize switch { 1 => 0x10, 2 => 0x08, 4 => 0x00, _ => 0x18 };
                    patched = patched with { OpCode = (byte)((patched.OpCode & ~0x18) | sizeBits) };
                }
                return patched;
            default:
                throw Error(fn, index, $"CO-RE {r.Description}: cannot patch opcode 0x{insn.OpCode:x2}");
        }
    }

    private BpfInstruction Relocate(CodeFunction fn, int i, BpfInstruction insn, ElfSymbol sym, BpfInstruction[] code)
    {
        if (sym.IsUndefined) return RelocateExtern(fn, i, insn, sym);
        var section = sym.Section ?? throw Error(fn, i, $"symbol {sym.Name} is in no section");

        if (_obj.Code.ContainsKey(section.Index))
        {
            if (insn.OpCode == Call && insn.Src == (BpfRegister)1)
            {
                if (sym.Value % 8 != 0) throw Error(fn, i, $"call to {sym.Name} is not on an instruction");
                int target = (int)(sym.Value / 8) + insn.Immediate + 1;
                Require(fn, i, section.Index, target);
                _fixups.Add((_out.Count, section.Index, target));
                return insn;
            }
            if (insn.OpCode == LoadImm64)
            {
                // A callback's address: the immediate is a byte offset from the symbol.
                long bytes = (long)sym.Value + insn.Immediate;
                if (bytes % 8 != 0) throw Error(fn, i, $"callback address into {section.Name} is not on an instruction");
                int target = (int)(bytes / 8);
                Require(fn, i, section.Index, target);
                _fixups.Add((_out.Count, section.Index, target));
                return insn with { Src = (BpfRegister)Imm64Source.Function };
            }
            throw Error(fn, i, $"a reference to code ({sym.Name}) in an instruction that is neither a call nor a 64-bit load");
        }

        if (insn.OpCode != LoadImm64) throw Error(fn, i, $"a reference to {sym.Name} in an instruction that is not a 64-bit load");
        var map = _mapOfSymbol(sym) ?? throw Error(fn, i, $"{sym.Name} in {section.Name} is neither a map nor global data");
        int fd = map.Map!.Handle.Fd;
        if (map.Type == BpfMapType.Arena)
        {
            // An __arena global: the arena's user address (what the kernel puts in a map-value load of an arena) plus
            // the place of the globals in it and the variable's offset.
            long offset = map.ArenaDataOffset + (long)sym.Value + insn.Immediate;
            if (offset < 0 || offset > int.MaxValue) throw Error(fn, i, $"offset {offset} of {sym.Name} is outside the arena");
            _pendingSecondImm = (int)offset;
            return insn with { Src = (BpfRegister)Imm64Source.MapValue, Immediate = fd };
        }
        if (map.IsGlobalData)
        {
            // ld_imm64 of a variable's address: the map's value plus the variable's offset.
            long offset = (long)sym.Value + insn.Immediate;
            if (offset < 0 || offset >= map.ValueSize) throw Error(fn, i, $"offset {offset} is outside {map.SectionName}");
            _pendingSecondImm = (int)offset;
            return insn with { Src = (BpfRegister)Imm64Source.MapValue, Immediate = fd };
        }
        _pendingSecondImm = 0;
        return insn with { Src = (BpfRegister)Imm64Source.MapFd, Immediate = fd };
    }

    /// <summary>
    /// A reference to an extern, resolved at load: a kconfig value is an address in the <c>.kconfig</c> map; a typed
    /// ksym or an existing kfunc's address is its vmlinux BTF id; an untyped ksym its kallsyms address; a kfunc call
    /// names the function's BTF id (0 for a missing <c>__weak</c> kfunc, which the verifier accepts only when the call
    /// is dead code).
    /// </summary>
    private BpfInstruction RelocateExtern(CodeFunction fn, int i, BpfInstruction insn, ElfSymbol sym)
    {
        var ext = _obj.Externs.FirstOrDefault(e => e.Name == sym.Name) ?? throw Error(fn, i, $"{sym.Name} is undefined");
        _externs.Add(ext.Name);
        if (insn.OpCode == Call)
        {
            if (ext.Kind != ExternKind.KsymFunction) throw Error(fn, i, $"a call to {ext}, which is not a kfunc");
            return insn with { Src = (BpfRegister)CallSource.Kfunc, Immediate = ext.Found ? ext.KernelBtfId : 0, Offset = 0 };
        }
        if (insn.OpCode != LoadImm64) throw Error(fn, i, $"a reference to {ext} in an instruction that is not a 64-bit load or a call");
        switch (ext.Kind)
        {
            case ExternKind.Kconfig:
                _pendingSecondImm = ext.Offset + insn.Immediate;
                return insn with { Src = (BpfRegister)Imm64Source.MapValue, Immediate = _obj.KconfigMap!.Map!.Handle.Fd };
            case ExternKind.KsymVariable or ExternKind.KsymFunction when ext.Found && ext.KernelBtfId != 0:
                _pendingSecondImm = 0; // the BTF object fd: 0 is vmlinux
                return insn with { Src = (BpfRegister)Imm64Source.BtfId, Immediate = ext.KernelBtfId };
            default:
                _pendingSecondImm = (int)(ext.Address >> 32);
                return insn with { Src = (BpfRegister)Imm64Source.Value, Immediate = (int)(uint)ext.Address };
        }
    }

    /// <summary>Queues the function holding instruction <paramref name="target"/> of a section.</summary>
    private void Require(CodeFunction from, int i, int section, int target)
    {
        var fn = _obj.Functions.TryGetValue(section, out var list) ? list.FirstOrDefault(f => f.Start <= target && target < f.Start + f.Count) : null;
        if (fn is null) throw Error(from, i, $"call or callback target {target} of {SectionName(section)} is in no function");
        if (fn.Start != target) throw Error(from, i, $"call into the middle of {fn.Name}");
        _pending.Enqueue(fn);
    }

    private void ApplyFixups()
    {
        foreach (var (at, section, target) in _fixups)
        {
            var (fn, placedAt) = _placed.First(p => p.Function.SectionIndex == section && p.Function.Start <= target && target < p.Function.Start + p.Function.Count);
            int dest = placedAt + (target - fn.Start);
            _out[at] = _out[at] with { Immediate = dest - (at + 1) };
        }
    }

    /// <summary>The func and line info of every placed function, moved to instruction indices of the linked program.</summary>
    private (byte[] Func, byte[] Line) ExtInfo()
    {
        if (_obj.BtfExt is not { } ext) return ([], []);
        var func = new List<(int Off, int Type)>();
        var line = new List<Btf.BtfLineInfo>();
        foreach (var (fn, at) in _placed)
        {
            string sec = SectionName(fn.SectionIndex);
            int Move(int byteOffset) => at + byteOffset / 8 - fn.Start;
            bool Inside(int byteOffset) => byteOffset / 8 >= fn.Start && byteOffset / 8 < fn.Start + fn.Count;
            if (ext.FuncInfo.TryGetValue(sec, out var fi))
                foreach (var f in fi) if (Inside(f.InstructionOffset)) func.Add((Move(f.InstructionOffset), f.TypeId));
            if (ext.LineInfo.TryGetValue(sec, out var li))
                foreach (var l in li) if (Inside(l.InstructionOffset)) line.Add(l with { InstructionOffset = Move(l.InstructionOffset) });
        }
        func.Sort((a, b) => a.Off.CompareTo(b.Off));
        line.Sort((a, b) => a.InstructionOffset.CompareTo(b.InstructionOffset));
        var funcBytes = new byte[func.Count * 8];
        for (int k = 0; k < func.Count; k++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(funcBytes.AsSpan(k * 8), func[k].Off);
            BinaryPrimitives.WriteInt32LittleEndian(funcBytes.AsSpan(k * 8 + 4), func[k].Type);
        }
        var lineBytes = new byte[line.Count * 16];
        for (int k = 0; k < line.Count; k++)
        {
            var span = lineBytes.AsSpan(k * 16);
            BinaryPrimitives.WriteInt32LittleEndian(span, line[k].InstructionOffset);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], line[k].FileNameOffset);
            BinaryPrimitives.WriteInt32LittleEndian(span[8..], line[k].LineOffset);
            BinaryPrimitives.WriteInt32LittleEndian(span[12..], line[k].LineAndColumn);
        }
        return (funcBytes, lineBytes);
    }
}
