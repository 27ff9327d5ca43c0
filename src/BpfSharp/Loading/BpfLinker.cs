using System.Buffers.Binary;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp.Loading;

/// <summary>
/// Links several clang-compiled BPF objects into one, as libbpf's linker (<c>bpftool gen object</c>) does: sections of
/// the same name are appended (code, data, <c>.maps</c>), relocations follow their instructions, a global symbol
/// declared <c>extern</c> in one object resolves to its definition in another, a strong definition overrides a weak
/// one, and the BTF and <c>.BTF.ext</c> (func info, line info, CO-RE relocations) of every input are merged and
/// deduplicated. The result loads with <see cref="BpfObject.Open(ReadOnlyMemory{byte}, string, BpfObjectOptions?)"/>.
/// </summary>
/// <remarks>
/// The kernel never sees the inputs: two strong definitions of one name, a map declared differently in two inputs
/// or a symbol defined as a function in one and data in another are refused with a <see cref="BpfException"/> that
/// names both files. Debug sections (DWARF) are dropped, as libbpf's linker drops them.
/// </remarks>
public sealed partial class BpfLinker
{
    private const string Operation = "link BPF objects";
    private readonly List<(ElfFile Elf, string Name)> _inputs = [];

    /// <summary>Adds an object file; inputs are linked in the order added.</summary>
    public BpfLinker Add(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new BpfException(Operation, $"{path}: no such file");
        return Add(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <param name="name">How errors name this input (a file name).</param>
    public BpfLinker Add(ReadOnlyMemory<byte> elf, string name)
    {
        ElfFile file;
        try { file = ElfFile.Parse(elf, name); }
        catch (Exception e) when (e is not BpfException) { throw new BpfException(Operation, $"{name}: not an ELF object: {e.Message}", e); }
        catch (BpfException e) { throw new BpfException(Operation, $"{name}: {e.Message}", e); }
        if (file.Header.Machine != ElfMachine.Bpf || file.Header.Type != ElfType.Relocatable)
            throw new BpfException(Operation, $"{name}: not a BPF relocatable object ({file.Header.Type} {file.Header.Machine})");
        if (file.Header.Class != ElfClass.Elf64 || file.Header.DataEncoding != ElfDataEncoding.LittleEndian)
            throw new BpfException(Operation, $"{name}: only 64-bit little-endian objects can be linked");
        _inputs.Add((file, name));
        return this;
    }

    /// <summary>Links the files at <paramref name="inputs"/> and returns the linked object's bytes.</summary>
    public static byte[] Link(IEnumerable<string> inputs)
    {
        var linker = new BpfLinker();
        foreach (var path in inputs) linker.Add(path);
        return linker.Link();
    }

    /// <summary>Links the inputs added so far into one ELF object.</summary>
    /// <exception cref="BpfException">No input, conflicting definitions, or malformed BTF in an input.</exception>
    public byte[] Link()
    {
        if (_inputs.Count == 0) throw new BpfException(Operation, "no input objects");
        var state = new LinkState(_inputs);
        state.PlaceSections();
        state.ResolveSymbols();
        state.CopyRelocations();
        var (btf, ext) = state.MergeBtf();
        return WriteElf(state.Sections, state.Symbols, btf, ext);
    }

    /// <summary>Links and writes the result to <paramref name="path"/>.</summary>
    public void LinkTo(string path) => File.WriteAllBytes(path, Link());

    /// <summary>Where an input section landed: its output section and the byte offset it starts at there.</summary>
    private readonly record struct Placement(OutSection Section, long Shift);

    /// <summary>A global name and the input that currently defines it (−1 while only declared).</summary>
    private sealed class GlobalSymbol
    {
        public required OutSymbol Out;
        public int DefinedIn = -1;
        public bool IsWeak;
        public ElfSymbol? Definition;
        /// <summary>The first input that named it, for comparing map declarations.</summary>
        public int? FirstInput;
    }

    private sealed partial class LinkState(List<(ElfFile Elf, string Name)> inputs)
    {
        public readonly List<OutSection> Sections = [];
        public readonly List<OutSymbol> Symbols = [];
        private readonly Dictionary<string, OutSection> _byName = new(StringComparer.Ordinal);
        private readonly Placement?[][] _placements = new Placement?[inputs.Count][];
        private readonly OutSymbol?[][] _symbolMap = new OutSymbol?[inputs.Count][];
        private readonly Dictionary<string, GlobalSymbol> _globals = new(StringComparer.Ordinal);

        /// <summary>Sections that are not program text or data: BTF is merged separately, DWARF is dropped.</summary>
        private static bool IsContent(ElfSection s) =>
            s.Type is ElfSectionType.ProgBits or ElfSectionType.NoBits
            && s.Name is not (".BTF" or ".BTF.ext") && !s.Name.StartsWith(".debug", StringComparison.Ordinal)
            && s.Name.Length > 0;

        public void PlaceSections()
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                var (elf, name) = inputs[i];
                _placements[i] = new Placement?[elf.Sections.Count];
                foreach (var s in elf.Sections)
                {
                    if (!IsContent(s)) continue;
                    uint type = (uint)s.Type;
                    ulong flags = (ulong)s.Flags & (ShfAlloc | ShfExecInstr | 0x1 /* SHF_WRITE */);
                    if (!_byName.TryGetValue(s.Name, out var outSection))
                    {
                        outSection = new OutSection(s.Name, type, flags, Math.Max(1, s.Alignment));
                        _byName[s.Name] = outSection;
                        Sections.Add(outSection);
                    }
                    else if (outSection.Type != type || outSection.Flags != flags)
                        throw new BpfException(Operation, $"section '{s.Name}' of {name} is {s.Type} with flags {s.Flags}, unlike in an earlier input");
                    ulong align = Math.Max(1, s.Alignment);
                    outSection.Alignment = Math.Max(outSection.Alignment, align);
                    long shift = (outSection.Size + (long)align - 1) / (long)align * (long)align;
                    if (outSection.Type != ShtNoBits)
                    {
                        while (outSection.Data.Length < shift) outSection.Data.WriteByte(0);
                        outSection.Data.Write(s.Data.Span);
                    }
                    outSection.Size = shift + (long)s.Size;
                    _placements[i][s.Index] = new Placement(outSection, shift);
                }
            }
            // Empty sections (an object whose functions are all programs still has an empty .text) are left out, as libbpf does.
            Sections.RemoveAll(s => s.Size == 0);
            foreach (var s in Sections)
            {
                var sym = new OutSymbol { Name = "", Type = SttSection, Binding = StbLocal, Section = s };
                Symbols.Add(sym);
                s.SectionSymbol = sym;
            }
        }

        public void ResolveSymbols()
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                var (elf, file) = inputs[i];
                var symbols = elf.Symbols;
                var map = _symbolMap[i] = new OutSymbol?[symbols.Count];
                foreach (var sym in symbols)
                {
                    if (sym.Index == 0) continue;
                    Placement? at = sym.SectionIndex is > 0 and < ElfSectionIndex.LowReserve ? _placements[i][sym.SectionIndex] : null;
                    if (sym.Type == ElfSymbolType.Section)
                    {
                        map[sym.Index] = at?.Section.SectionSymbol;
                        continue;
                    }
                    if (sym.Type == ElfSymbolType.File)
                    {
                        Symbols.Add(new OutSymbol { Name = sym.Name, Type = SttFile, Binding = StbLocal, IsAbsolute = true });
                        continue;
                    }
                    bool defined = !sym.IsUndefined;
                    if (defined && at is null && !sym.IsAbsolute) continue; // in a dropped (debug) section
                    if (sym.Binding == ElfSymbolBinding.Local)
                    {
                        var local = NewSymbol(sym, at);
                        Symbols.Add(local);
                        map[sym.Index] = local;
                        continue;
                    }
                    map[sym.Index] = Resolve(i, sym, at);
                }
            }
            foreach (var g in _globals.Values) Symbols.Add(g.Out);
        }

        private static OutSymbol NewSymbol(ElfSymbol sym, Placement? at) => new()
        {
            Name = sym.Name,
            Binding = (byte)sym.Binding,
            Type = (byte)sym.Type,
            Other = sym.Other,
            Section = at?.Section,
            IsAbsolute = sym.IsAbsolute,
            Value = sym.Value + (ulong)(at?.Shift ?? 0),
            Size = sym.Size,
        };

        /// <summary>Applies the rules for one global: a declaration joins a definition, strong beats weak, two strong definitions are an error.</summary>
        private OutSymbol Resolve(int input, ElfSymbol sym, Placement? at)
        {
            string file = inputs[input].Name;
            bool defined = !sym.IsUndefined;
            bool weak = sym.Binding == ElfSymbolBinding.Weak;
            if (!_globals.TryGetValue(sym.Name, out var g))
            {
                g = new GlobalSymbol { Out = NewSymbol(sym, at) };
                if (defined) { g.DefinedIn = input; g.IsWeak = weak; g.Definition = sym; }
                else g.Out.Type = (byte)sym.Type;
                g.FirstInput = input;
                _globals[sym.Name] = g;
                return g.Out;
            }

            if (g.DefinedIn >= 0 && (defined || sym.Type != ElfSymbolType.NoType) && g.Definition!.Type != sym.Type
                && sym.Type != ElfSymbolType.NoType && g.Definition.Type != ElfSymbolType.NoType)
                throw new BpfException(Operation, $"symbol '{sym.Name}' is a {g.Definition.Type} in {inputs[g.DefinedIn].Name} but a {sym.Type} in {file}");
            CheckMapsAgree(input, sym, g);
            CheckTypesAgree(input, sym, g);
            if (!defined) return g.Out;
            if (g.DefinedIn >= 0)
            {
                if (!g.IsWeak && !weak)
                    throw new BpfException(Operation, $"symbol '{sym.Name}' is defined in both {inputs[g.DefinedIn].Name} and {file} (neither is weak)");
                if (weak) return g.Out; // the earlier definition stays; this one's code or data stays unreferenced
            }
            var replacement = NewSymbol(sym, at);
            g.Out.Binding = replacement.Binding;
            g.Out.Type = replacement.Type;
            g.Out.Other = replacement.Other;
            g.Out.Section = replacement.Section;
            g.Out.Value = replacement.Value;
            g.Out.Size = replacement.Size;
            g.DefinedIn = input;
            g.IsWeak = weak;
            g.Definition = sym;
            return g.Out;
        }

        public void CopyRelocations()
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                var (elf, file) = inputs[i];
                foreach (var table in elf.RelocationTables)
                {
                    if (table.Target is not { } target || _placements[i][target.Index] is not { } place) continue;
                    if (table.HasAddends) throw new BpfException(Operation, $"{file}: {table.Section.Name} has addends (RELA); BPF objects use REL");
                    var data = place.Section.Data.GetBuffer();
                    foreach (var r in table.Entries)
                    {
                        long offset = (long)r.Offset + place.Shift;
                        var symbol = r.SymbolIndex < _symbolMap[i].Length ? _symbolMap[i][r.SymbolIndex] : null;
                        if (symbol is null)
                            throw new BpfException(Operation, $"{file}: relocation at {target.Name}+0x{r.Offset:x} refers to symbol {r.SymbolIndex}, which is in a dropped section");
                        if (r.Symbol is { Type: ElfSymbolType.Section } sectionSymbol && _placements[i][sectionSymbol.SectionIndex] is { } symPlace)
                            AdjustSectionReference(data, offset, r.Type, symPlace.Shift, place.Section, file);
                        place.Section.Relocations.Add(new OutRelocation((ulong)offset, r.Type, symbol));
                    }
                }
            }
        }

        /// <summary>
        /// A reference through a section symbol encodes the offset inside the section in the instruction (or data word);
        /// that section now starts <paramref name="shift"/> bytes later. A call counts in instructions, the rest in bytes.
        /// </summary>
        private static void AdjustSectionReference(byte[] data, long offset, uint type, long shift, OutSection where, string file)
        {
            if (shift == 0) return;
            if (where.IsExecutable)
            {
                var imm = data.AsSpan((int)offset + 4, 4);
                bool isCall = data[offset] == 0x85;
                int value = BinaryPrimitives.ReadInt32LittleEndian(imm) + (int)(isCall ? shift / 8 : shift);
                BinaryPrimitives.WriteInt32LittleEndian(imm, value);
            }
            else if (type == 2) // R_BPF_64_ABS64
            {
                var word = data.AsSpan((int)offset, 8);
                BinaryPrimitives.WriteInt64LittleEndian(word, BinaryPrimitives.ReadInt64LittleEndian(word) + shift);
            }
            else if (type == 3) // R_BPF_64_ABS32
            {
                var word = data.AsSpan((int)offset, 4);
                BinaryPrimitives.WriteInt32LittleEndian(word, BinaryPrimitives.ReadInt32LittleEndian(word) + (int)shift);
            }
            else throw new BpfException(Operation, $"{file}: relocation type {type} against a section symbol in {where.Name} cannot be moved");
        }
    }
}
