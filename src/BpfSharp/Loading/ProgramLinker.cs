using System.Buffers.Binary;
using BpfSharp.Asm;
using BpfSharp.Elf;

namespace BpfSharp;

/// <summary>A program ready to load: its instructions with every subprogram it calls appended, and its BTF records.</summary>
internal sealed record LinkedProgram(BpfInstruction[] Instructions, byte[] FuncInfo, byte[] LineInfo);

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

    private ProgramLinker(ObjectParser obj, Func<ElfSymbol, BpfObjectMap?> mapOfSymbol)
    {
        _obj = obj;
        _mapOfSymbol = mapOfSymbol;
    }

    public static LinkedProgram Link(ObjectParser obj, BpfObjectProgram prog, Func<ElfSymbol, BpfObjectMap?> mapOfSymbol)
    {
        var linker = new ProgramLinker(obj, mapOfSymbol);
        var main = obj.Functions[prog.SectionIndex].First(f => f.Start == prog.Start && f.Name == prog.Name);
        linker.Place(main);
        while (linker._pending.TryDequeue(out var next))
            if (!linker._placed.Any(p => p.Function == next)) linker.Place(next);
        linker.ApplyFixups();
        var (func, line) = linker.ExtInfo();
        return new LinkedProgram(linker._out.ToArray(), func, line);
    }

    private string SectionName(int index) => _obj.Elf.Sections[index].Name;

    private BpfFormatException Error(CodeFunction fn, int insn, string message) =>
        new($"BPF object {_obj.ObjectName}", $"{fn.Name} instruction {insn - fn.Start}: {message}");

    private void Place(CodeFunction fn)
    {
        int at = _out.Count;
        _placed.Add((fn, at));
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

    private BpfInstruction Relocate(CodeFunction fn, int i, BpfInstruction insn, ElfSymbol sym, BpfInstruction[] code)
    {
        if (sym.IsUndefined)
            throw new NotSupportedException($"{fn.Name} uses the extern {sym.Name}: kconfig and ksym externs are not supported yet");
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
