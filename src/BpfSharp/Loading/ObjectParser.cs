using System.Buffers.Binary;
using BpfSharp.Asm;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp;

/// <summary>A relocation in a code section, by instruction index: the symbol it names.</summary>
internal readonly record struct CodeRelocation(int Instruction, ElfSymbol Symbol);

/// <summary>A function in a code section: a program, or a subprogram other code calls.</summary>
internal sealed record CodeFunction(string Name, int SectionIndex, int Start, int Count);

/// <summary>
/// Reads a clang-compiled BPF object into the loader's pieces: code sections, functions, relocations, maps,
/// global data and variables. Touches no kernel. Every defect is a <see cref="BpfFormatException"/>.
/// </summary>
internal sealed class ObjectParser
{
    public ElfFile Elf { get; }
    public string ObjectName { get; }
    public BtfSpec? Btf { get; }
    public BtfExt? BtfExt { get; }
    public string License { get; private set; } = "";
    public uint KernelVersion { get; private set; }
    public Dictionary<int, BpfInstruction[]> Code { get; } = [];
    public Dictionary<int, List<CodeFunction>> Functions { get; } = [];
    public Dictionary<int, Dictionary<int, CodeRelocation>> Relocations { get; } = [];
    public List<BpfObjectProgram> Programs { get; } = [];
    public List<BpfObjectMap> Maps { get; } = [];
    public List<(string Name, BpfObjectMap Map, int Offset, int Size, int TypeId)> Variables { get; } = [];
    public List<ObjectExtern> Externs { get; } = [];

    /// <summary>The map holding the <c>__kconfig</c> externs' values (libbpf's <c>OBJECT.kconfig</c>), when there are any.</summary>
    public BpfObjectMap? KconfigMap { get; private set; }

    public ObjectParser(ReadOnlyMemory<byte> image, string name)
    {
        ObjectName = name;
        Elf = ElfFile.Parse(image, name);
        if (Elf.Header.Machine != ElfMachine.Bpf)
            throw Error($"not a BPF object (machine {Elf.Header.Machine})");
        if (Elf.FindSection(".BTF") is { } btf)
        {
            Btf = BtfSpec.Parse(btf.Data.Span);
            if (Elf.FindSection(".BTF.ext") is { } ext) BtfExt = BtfExt.Parse(ext.Data.Span, Btf, CodeSectionSizes());
        }
        ReadLicenseAndVersion();
        ReadCode();
        ReadRelocations();
        ReadBtfMaps();
        ReadLegacyMaps();
        ReadGlobalData();
        ReadStructOps();
        ReadExterns();
        CheckUniqueNames();
    }

    /// <summary>The code sections' sizes by name, which the .BTF.ext records must lie inside.</summary>
    private Dictionary<string, int> CodeSectionSizes()
    {
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in Elf.Sections.Where(IsCode))
            if (!sizes.TryAdd(s.Name, (int)Math.Min(s.Size, int.MaxValue)))
                throw Error($"two code sections are named {s.Name}");
        return sizes;
    }

    /// <summary>Programs, maps and externs are looked up by name: two of a kind with one name is malformed input.</summary>
    private void CheckUniqueNames()
    {
        static string? Duplicate(IEnumerable<string> names)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            return names.FirstOrDefault(n => !seen.Add(n));
        }
        if (Duplicate(Programs.Select(p => p.Name)) is { } program) throw Error($"two programs are named {program}");
        if (Duplicate(Maps.Select(m => m.Name)) is { } map) throw Error($"two maps are named {map}");
        if (Duplicate(Externs.Select(e => e.Name)) is { } ext) throw Error($"two externs are named {ext}");
    }

    /// <summary>The size of a variable's type; a variable of a type without one (void, a function) is malformed.</summary>
    private int VariableSize(BtfVar v, string section) =>
        Btf!.TryGetSize(v.TypeId, out int size)
            ? size
            : throw Error($"variable {v.Name} of {section} has type {v.TypeId} ({Btf.GetKind(v.TypeId).ToKernelName()}), which has no size");

    /// <summary>Symbols by name; two with one name where names must be unique is malformed.</summary>
    private Dictionary<string, ElfSymbol> ByName(IEnumerable<ElfSymbol> symbols, string what)
    {
        var byName = new Dictionary<string, ElfSymbol>(StringComparer.Ordinal);
        foreach (var s in symbols)
            if (!byName.TryAdd(s.Name, s)) throw Error($"two {what} symbols are named {s.Name}");
        return byName;
    }

    private BpfFormatException Error(string message) => new($"BPF object {ObjectName}", message);

    private void ReadLicenseAndVersion()
    {
        if (Elf.FindSection("license") is { } lic)
        {
            var bytes = lic.Data.Span;
            int end = bytes.IndexOf((byte)0);
            License = System.Text.Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
        }
        if (Elf.FindSection("version") is { } ver)
        {
            if (ver.Data.Length != 4) throw Error($"the version section has {ver.Data.Length} bytes, not 4");
            KernelVersion = BinaryPrimitives.ReadUInt32LittleEndian(ver.Data.Span);
        }
    }

    private static bool IsCode(ElfSection s) =>
        s.Type == ElfSectionType.ProgBits && s.Flags.HasFlag(ElfSectionFlags.ExecInstr) && s.Size > 0;

    private void ReadCode()
    {
        foreach (var section in Elf.Sections.Where(IsCode))
        {
            if (section.Size % 8 != 0) throw Error($"code section {section.Name} is {section.Size} bytes, not whole instructions");
            Code[section.Index] = BpfInstruction.FromBytes(section.Data.Span).ToArray();
            Functions[section.Index] = [];
        }
        foreach (var sym in Elf.Symbols)
        {
            if (sym.Type != ElfSymbolType.Function || sym.Section is not { } section || !Code.ContainsKey(section.Index)) continue;
            if (sym.Value % 8 != 0 || sym.Size % 8 != 0 || sym.Value + sym.Size > section.Size || sym.Size == 0)
                throw Error($"function {sym.Name} lies outside whole instructions of {section.Name}");
            var fn = new CodeFunction(sym.Name, section.Index, (int)(sym.Value / 8), (int)(sym.Size / 8));
            Functions[section.Index].Add(fn);
            if (section.Name != ".text")
            {
                string secName = section.Name.TrimStart('?');
                var prog = new BpfObjectProgram(sym.Name, secName, section.Index, fn.Start, fn.Count) { Autoload = !section.Name.StartsWith('?') };
                ApplySectionDefinition(prog);
                Programs.Add(prog);
            }
        }
        foreach (var list in Functions.Values) list.Sort((a, b) => a.Start.CompareTo(b.Start));
    }

    private static void ApplySectionDefinition(BpfObjectProgram prog)
    {
        if (!SectionDefinitions.TryMatch(prog.SectionName, out var def, out string target))
        {
            prog.Type = BpfProgramType.Unspec;
            return;
        }
        prog.Type = def.ProgramType;
        prog.ExpectedAttachType = def.AttachType;
        if (def.Sleepable) prog.Flags |= BpfProgramFlags.Sleepable;
        if (def.XdpFrags) prog.Flags |= BpfProgramFlags.XdpHasFrags;
        // Targets fixed at load: the BTF id of the function, tracepoint, LSM hook or iterator.
        if (def.ProgramType is BpfProgramType.Tracing or BpfProgramType.Lsm or BpfProgramType.Ext && target.Length > 0)
            prog.AttachTarget = target;
    }

    private void ReadRelocations()
    {
        foreach (var table in Elf.RelocationTables)
        {
            if (table.Target is not { } target || !Code.ContainsKey(target.Index)) continue;
            var relocs = new Dictionary<int, CodeRelocation>();
            foreach (var r in table.Entries)
            {
                if (r.Offset % 8 != 0 || r.Offset / 8 >= (ulong)Code[target.Index].Length)
                    throw Error($"relocation at 0x{r.Offset:x} in {target.Name} is not on an instruction");
                if (r.Symbol is null) throw Error($"relocation at 0x{r.Offset:x} in {target.Name} names no symbol");
                relocs[(int)(r.Offset / 8)] = new CodeRelocation((int)(r.Offset / 8), r.Symbol);
            }
            Relocations[target.Index] = relocs;
        }
    }

    /// <summary>
    /// BTF-defined maps: each variable of the <c>.maps</c> DATASEC is a struct whose members encode the
    /// definition: <c>__uint(name, N)</c> is a pointer to an array of N, <c>__type(name, T)</c> a pointer to T,
    /// <c>__array(values, T)</c> an array of pointers to T.
    /// </summary>
    private void ReadBtfMaps()
    {
        if (Elf.FindSection(".maps") is not { } section) return;
        if (Btf is null) throw Error("the .maps section needs BTF, and the object has none");
        var datasec = Btf.Types.OfType<BtfDataSec>().FirstOrDefault(d => d.Name == ".maps")
            ?? throw Error("BTF has no DATASEC for .maps");
        var symbols = ByName(Elf.Symbols.Where(s => s.Section?.Index == section.Index && s.Type == ElfSymbolType.Object), ".maps");
        foreach (var vsi in datasec.Variables)
        {
            if (Btf[vsi.TypeId] is not BtfVar v) throw Error($".maps entry {vsi.TypeId} is not a variable");
            var def = Btf[Btf.SkipModifiers(v.TypeId)] as BtfStruct ?? throw Error($"map {v.Name} is not defined by a struct");
            var map = ParseMapDefinition(v.Name, def, section.Index, symbols.TryGetValue(v.Name, out var s) ? s.Value : 0);
            Maps.Add(map);
        }
        ReadMapValueInitialisers(section);
    }

    private BpfObjectMap ParseMapDefinition(string name, BtfStruct def, int sectionIndex, ulong offset)
    {
        var map = new BpfObjectMap(name) { SectionName = ".maps", SectionIndex = sectionIndex, SymbolOffset = offset };
        foreach (var m in def.Members)
        {
            switch (m.Name)
            {
                case "type": map.Type = (BpfMapType)UIntMember(name, m); break;
                case "max_entries": map.MaxEntries = (int)UIntMember(name, m); break;
                case "map_flags": map.Flags = (BpfMapFlags)UIntMember(name, m); break;
                case "numa_node": map.NumaNode = (int)UIntMember(name, m); break;
                case "map_extra": map.MapExtra = UIntMember(name, m); break;
                case "key_size": map.KeySize = (int)UIntMember(name, m); break;
                case "value_size": map.ValueSize = (int)UIntMember(name, m); break;
                case "pinning":
                    // libbpf knows LIBBPF_PIN_NONE and LIBBPF_PIN_BY_NAME only and refuses any other value at open.
                    ulong pinning = UIntMember(name, m);
                    map.Pinning = pinning <= (ulong)BpfMapPinning.ByName ? (BpfMapPinning)pinning
                        : throw Error($"map {name}: pinning {pinning} is neither LIBBPF_PIN_NONE (0) nor LIBBPF_PIN_BY_NAME (1)");
                    break;
                case "key":
                    map.BtfKeyTypeId = (uint)PointedType(name, m);
                    map.KeySize = Btf!.SizeOf((int)map.BtfKeyTypeId);
                    break;
                case "value":
                    map.BtfValueTypeId = (uint)PointedType(name, m);
                    map.ValueSize = Btf!.SizeOf((int)map.BtfValueTypeId);
                    break;
                case "values":
                    // __array(values, struct inner): an array of pointers to the inner map's definition (or a
                    // program's prototype for program arrays).
                    if (Btf![Btf.SkipModifiers(m.TypeId)] is not BtfArray arr) throw Error($"map {name}: values is not an array");
                    if (Btf[Btf.SkipModifiers(arr.ElementTypeId)] is not BtfPointer p) throw Error($"map {name}: values holds no pointers");
                    if (Btf[Btf.SkipModifiers(p.TargetId)] is BtfStruct inner)
                        map.InnerMap = ParseMapDefinition(name + ".inner", inner, sectionIndex, 0);
                    break;
            }
        }
        if (map.InnerMap is not null && map.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps)
        {
            if (map.KeySize == 0) map.KeySize = 4;
            map.ValueSize = 4;
        }
        if (map.Type is BpfMapType.ProgArray && map.ValueSize == 0) map.ValueSize = 4;
        // The kernel refuses key/value BTF for maps of fds, keyless maps and a few others (as libbpf knows).
        if (map.Type is BpfMapType.ProgArray or BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps or BpfMapType.PerfEventArray
            or BpfMapType.CgroupArray or BpfMapType.StackTrace or BpfMapType.DevMap or BpfMapType.DevMapHash
            or BpfMapType.CpuMap or BpfMapType.XskMap or BpfMapType.SockMap or BpfMapType.SockHash
            or BpfMapType.Queue or BpfMapType.Stack or BpfMapType.Arena or BpfMapType.RingBuf or BpfMapType.UserRingBuf)
            map.BtfKeyTypeId = map.BtfValueTypeId = 0;
        if (map.Type == BpfMapType.PerfEventArray)
        {
            if (map.KeySize == 0) map.KeySize = 4;
            if (map.ValueSize == 0) map.ValueSize = 4;
            // libbpf's convention: max_entries 0 means one slot per possible CPU.
            if (map.MaxEntries == 0) map.MaxEntries = Interop.Cpus.PossibleCount;
        }
        return map;
    }

    /// <summary>The N of <c>int (*name)[N]</c>.</summary>
    private ulong UIntMember(string map, BtfMember m)
    {
        if (Btf![Btf.SkipModifiers(m.TypeId)] is not BtfPointer p || Btf[Btf.SkipModifiers(p.TargetId)] is not BtfArray a)
            throw Error($"map {map}: {m.Name} is not __uint(...)");
        return (ulong)a.Length;
    }

    private int PointedType(string map, BtfMember m) =>
        Btf![Btf.SkipModifiers(m.TypeId)] is BtfPointer p ? p.TargetId : throw Error($"map {map}: {m.Name} is not __type(...)");

    /// <summary><c>.values = { [i] = &amp;x }</c>: relocations in <c>.rel.maps</c> at the slots of a map's values member.</summary>
    private void ReadMapValueInitialisers(ElfSection section)
    {
        var table = Elf.FindRelocationsFor(section);
        if (table is null) return;
        foreach (var r in table.Entries)
        {
            var map = Maps.Where(m => m.SymbolOffset <= r.Offset).MaxBy(m => m.SymbolOffset)
                ?? throw Error($"a .maps relocation at 0x{r.Offset:x} belongs to no map");
            var def = FindDefinition(map.Name);
            var values = def.Members.FirstOrDefault(m => m.Name == "values");
            if (values.Name is null) throw Error($"map {map.Name}: a relocation outside its values");
            long slotOffset = (long)(r.Offset - map.SymbolOffset) - values.BitOffset / 8;
            if (slotOffset < 0 || slotOffset % 8 != 0) throw Error($"map {map.Name}: a relocation not on a values slot");
            if (r.Symbol is null) throw Error($"map {map.Name}: a values relocation names no symbol");
            int slot = (int)(slotOffset / 8);
            if (slot >= map.MaxEntries && map.Type != BpfMapType.HashOfMaps) throw Error($"map {map.Name}: values slot {slot} is past max_entries {map.MaxEntries}");
            map.InitialValues[slot] = r.Symbol.Name;
        }
    }

    private BtfStruct FindDefinition(string mapName)
    {
        var datasec = Btf!.Types.OfType<BtfDataSec>().First(d => d.Name == ".maps");
        foreach (var vsi in datasec.Variables)
            if (Btf[vsi.TypeId] is BtfVar v && v.Name == mapName)
                return (BtfStruct)Btf[Btf.SkipModifiers(v.TypeId)];
        throw Error($"no BTF definition of map {mapName}");
    }

    /// <summary>The legacy <c>maps</c> section: consecutive <c>struct bpf_map_def</c> (type, key size, value size, max entries, flags).</summary>
    private void ReadLegacyMaps()
    {
        if (Elf.FindSection("maps") is not { } section) return;
        var symbols = Elf.Symbols.Where(s => s.Section?.Index == section.Index && s.Type != ElfSymbolType.Section)
            .OrderBy(s => s.Value).ToList();
        if (symbols.Count == 0) return;
        ulong defSize = section.Size / (ulong)symbols.Count;
        if (defSize < 20) throw Error($"legacy map definitions of {defSize} bytes are too small");
        var data = section.Data.Span;
        foreach (var sym in symbols)
        {
            if (sym.Value + defSize > (ulong)data.Length) throw Error($"legacy map {sym.Name} runs past the maps section");
            var d = data.Slice((int)sym.Value, (int)defSize);
            Maps.Add(new BpfObjectMap(sym.Name)
            {
                SectionName = "maps",
                SectionIndex = section.Index,
                SymbolOffset = sym.Value,
                Type = (BpfMapType)BinaryPrimitives.ReadUInt32LittleEndian(d),
                KeySize = (int)BinaryPrimitives.ReadUInt32LittleEndian(d[4..]),
                ValueSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(d[8..]),
                MaxEntries = (int)BinaryPrimitives.ReadUInt32LittleEndian(d[12..]),
                Flags = (BpfMapFlags)BinaryPrimitives.ReadUInt32LittleEndian(d[16..]),
            });
        }
    }

    public static bool IsGlobalDataSection(string name) =>
        name is ".data" or ".bss" or ".rodata" || name.StartsWith(".data.", StringComparison.Ordinal) || name.StartsWith(".rodata.", StringComparison.Ordinal);

    private const ulong MaxGlobalDataSize = 1 << 28;

    /// <summary>Global data sections become one-element array maps named OBJECT.SECTION (libbpf's names).</summary>
    private void ReadGlobalData()
    {
        foreach (var section in Elf.Sections)
        {
            if (!IsGlobalDataSection(section.Name) || section.Size == 0) continue;
            bool isBss = section.Type == ElfSectionType.NoBits;
            // A .bss has no bytes in the file, so only its header says how big it is: bound it before allocating.
            if (section.Size > MaxGlobalDataSize)
                throw Error($"{section.Name} is {section.Size} bytes; a global data map holds at most {MaxGlobalDataSize}");
            bool readOnly = section.Name.StartsWith(".rodata", StringComparison.Ordinal);
            var map = new BpfObjectMap(GlobalDataMapName(section.Name))
            {
                SectionName = section.Name,
                SectionIndex = section.Index,
                IsGlobalData = true,
                IsReadOnly = readOnly,
                Type = BpfMapType.Array,
                KeySize = 4,
                ValueSize = checked((int)section.Size),
                MaxEntries = 1,
                Flags = BpfMapFlags.Mmapable | (readOnly ? BpfMapFlags.ReadOnlyProgram : 0),
                InitialData = isBss ? new byte[section.Size] : section.Data.ToArray(),
            };
            if (Btf?.Types.OfType<BtfDataSec>().FirstOrDefault(d => d.Name == section.Name) is { } datasec)
            {
                map.BtfValueTypeId = (uint)datasec.Id;
                foreach (var vsi in datasec.Variables)
                    if (Btf[vsi.TypeId] is BtfVar v)
                    {
                        var sym = Elf.Symbols.FirstOrDefault(s => s.Name == v.Name && s.Section?.Index == section.Index);
                        int offset = sym is null ? vsi.Offset : (int)sym.Value;
                        int size = VariableSize(v, section.Name);
                        if (offset < 0 || offset + size > map.ValueSize) throw Error($"variable {v.Name} lies outside {section.Name}");
                        Variables.Add((v.Name, map, offset, size, v.TypeId));
                    }
            }
            Maps.Add(map);
        }
    }

    private string GlobalDataMapName(string section)
    {
        // libbpf: up to 8 characters of the object name, then the section name, within the 15 the kernel keeps;
        // custom sections (.data.NAME, .rodata.NAME) keep their own name; characters the kernel refuses become '_'.
        string prefix = section.IndexOf('.', 1) > 0 ? "" : ObjectName.Length > 8 ? ObjectName[..8] : ObjectName;
        string name = prefix + section;
        if (name.Length > 15) name = name[..15];
        return new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' ? c : '_').ToArray());
    }

    /// <summary>
    /// struct_ops maps: each variable of a <c>.struct_ops</c> (registered by the map update) or <c>.struct_ops.link</c>
    /// (registered by a link) section is one map whose value is a kernel struct of callbacks; the relocations of the
    /// section name the program behind each function pointer.
    /// </summary>
    private void ReadStructOps()
    {
        foreach (var section in Elf.Sections)
        {
            if (!IsStructOpsSection(section.Name)) continue;
            if (Btf is null) throw Error($"the {section.Name} section needs BTF, and the object has none");
            var datasec = Btf.Types.OfType<BtfDataSec>().FirstOrDefault(d => d.Name == section.Name)
                ?? throw Error($"BTF has no DATASEC for {section.Name}");
            var byOffset = new List<BpfObjectMap>();
            foreach (var vsi in datasec.Variables)
            {
                if (Btf[vsi.TypeId] is not BtfVar v) throw Error($"{section.Name} entry {vsi.TypeId} is not a variable");
                var sym = Elf.Symbols.FirstOrDefault(s => s.Name == v.Name && s.Section?.Index == section.Index);
                int offset = sym is null ? vsi.Offset : (int)sym.Value;
                int typeId = Btf.SkipModifiers(v.TypeId);
                if (Btf[typeId] is not BtfStruct type) throw Error($"struct_ops variable {v.Name} is not a struct");
                if (offset < 0 || offset + type.Size > (int)section.Size) throw Error($"struct_ops variable {v.Name} lies outside {section.Name}");
                var map = new BpfObjectMap(v.Name)
                {
                    SectionName = section.Name,
                    SectionIndex = section.Index,
                    SymbolOffset = (ulong)offset,
                    Type = BpfMapType.StructOps,
                    KeySize = 4,
                    MaxEntries = 1,
                    Flags = section.Name.StartsWith(".struct_ops.link", StringComparison.Ordinal) ? BpfMapFlags.Link : 0,
                    StructOpsTypeId = typeId,
                    InitialData = section.Data.Span.Slice(offset, type.Size).ToArray(),
                };
                Maps.Add(map);
                byOffset.Add(map);
            }
            if (Elf.FindRelocationsFor(section) is { } table)
                foreach (var r in table.Entries)
                {
                    var map = byOffset.Where(m => m.SymbolOffset <= r.Offset).MaxBy(m => m.SymbolOffset)
                        ?? throw Error($"a {section.Name} relocation at 0x{r.Offset:x} belongs to no struct_ops variable");
                    if (r.Symbol is not { Type: ElfSymbolType.Function } fn || !Programs.Any(p => p.Name == fn.Name))
                        throw Error($"struct_ops {map.Name}: the pointer at 0x{r.Offset:x} is not a program of the object");
                    map.InitialValues[(int)(r.Offset - map.SymbolOffset)] = fn.Name;
                }
        }
        // As libbpf: a struct_ops program no struct_ops map uses has no attach point, so it is not loaded.
        var used = Maps.Where(m => m.Type == BpfMapType.StructOps).SelectMany(m => m.InitialValues.Values).ToHashSet();
        foreach (var prog in Programs.Where(p => p.Type == BpfProgramType.StructOps && !used.Contains(p.Name)))
            prog.Autoload = false;
    }

    public static bool IsStructOpsSection(string name) =>
        name is ".struct_ops" or ".struct_ops.link" || name.StartsWith(".struct_ops.", StringComparison.Ordinal);

    /// <summary>
    /// Externs: undefined symbols declared in the BTF DATASECs <c>.kconfig</c> and <c>.ksyms</c>. Kconfig values are laid
    /// out, each at its type's alignment, in one read-only array map; ksyms are resolved at load.
    /// </summary>
    private void ReadExterns()
    {
        var undefined = ByName(Elf.Symbols.Where(s => s.IsUndefined && s.Name.Length > 0), "undefined");
        if (undefined.Count == 0) return;
        if (Btf is null) throw Error($"extern {undefined.Keys.First()} needs BTF, and the object has none");
        int kconfigSize = 0;
        foreach (var datasec in Btf.Types.OfType<BtfDataSec>().Where(d => d.Name is ".kconfig" or ".ksyms"))
            foreach (var vsi in datasec.Variables)
            {
                var type = Btf[vsi.TypeId];
                if (!undefined.Remove(type.Name, out var sym)) continue;
                bool weak = sym.Binding == ElfSymbolBinding.Weak;
                if (datasec.Name == ".kconfig")
                {
                    if (type is not BtfVar v) throw Error($"kconfig extern {type.Name} is not a variable");
                    int size = VariableSize(v, ".kconfig"), align = Btf.TryGetAlignment(v.TypeId, out int a) ? a : 1;
                    kconfigSize = (kconfigSize + align - 1) / align * align;
                    Externs.Add(new ObjectExtern(v.Name, ExternKind.Kconfig, weak, v.Id) { Offset = kconfigSize, Size = size });
                    kconfigSize += size;
                }
                else
                    Externs.Add(new ObjectExtern(type.Name, type is BtfFunc ? ExternKind.KsymFunction : ExternKind.KsymVariable, weak, type.Id));
            }
        if (undefined.Count > 0)
            throw Error($"extern {string.Join(", ", undefined.Keys)} is neither __kconfig nor __ksym");
        if (kconfigSize == 0) return;
        KconfigMap = new BpfObjectMap(GlobalDataMapName(".kconfig"))
        {
            SectionName = ".kconfig",
            SectionIndex = -1,
            IsGlobalData = true,
            IsReadOnly = true,
            Type = BpfMapType.Array,
            KeySize = 4,
            ValueSize = kconfigSize,
            MaxEntries = 1,
            Flags = BpfMapFlags.Mmapable | BpfMapFlags.ReadOnlyProgram,
            InitialData = new byte[kconfigSize],
            BtfValueTypeId = (uint)Btf.Types.OfType<BtfDataSec>().First(d => d.Name == ".kconfig").Id,
        };
        Maps.Add(KconfigMap);
        foreach (var e in Externs.Where(e => e.Kind == ExternKind.Kconfig))
            Variables.Add((e.Name, KconfigMap, e.Offset, e.Size, ((BtfVar)Btf[e.BtfTypeId]).TypeId));
    }
}
