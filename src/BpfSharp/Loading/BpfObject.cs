using BpfSharp.Elf;
using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>
/// A clang-compiled BPF object (<c>clang -g -O2 -target bpf</c>), as libbpf's <c>bpf_object</c>:
/// <see cref="Open(string, BpfObjectOptions?)"/> reads it without touching the kernel and exposes its
/// programs, maps and global variables for changes; <see cref="Load"/> creates the maps and loads the
/// programs; <see cref="AttachAll"/> attaches what the section names say. Disposing releases everything
/// the object created, except what was taken out with <see cref="TakeProgram"/> or <see cref="TakeMap"/>.
/// </summary>
public sealed class BpfObject : IDisposable
{
    private readonly ObjectParser _parser;
    private readonly BpfObjectOptions _options;
    private readonly Dictionary<string, BpfObjectProgram> _programs;
    private readonly Dictionary<string, BpfObjectMap> _maps;
    private readonly Dictionary<string, BpfObjectVariable> _variables;
    private readonly Dictionary<BpfObjectMap, BpfMappedMemory> _memory = [];
    private readonly Dictionary<BpfObjectMap, StructOpsBinding> _structOps = [];
    private readonly HashSet<object> _taken = [];
    private readonly List<string> _pinnedByLoad = [];
    private SafeFdHandle? _btf;
    // Held only while loading: every map create, BTF load and program load carries it; attaching needs none.
    private BpfToken? _token;
    private readonly byte[]? _arenaData;
    private readonly BpfObjectMap? _arenaMap;
    private bool _disposed;

    private BpfObject(ObjectParser parser, BpfObjectOptions options)
    {
        _parser = parser;
        _options = options;
        _programs = parser.Programs.ToDictionary(p => p.Name);
        _maps = [];
        foreach (var m in parser.Maps)
            if (!_maps.TryAdd(m.Name, m)) throw new BpfFormatException($"BPF object {parser.ObjectName}", $"two maps are named {m.Name}");
        _arenaData = ObjectArena.ReadData(parser.Elf);
        if (_arenaData is not null) _arenaMap = ObjectArena.ArenaOf(_maps.Values, parser.ObjectName);
        _variables = [];
        foreach (var (name, map, offset, size, type) in parser.Variables)
            _variables.TryAdd(name, new BpfObjectVariable(this, name, map, offset, size, type));
    }

    /// <summary>Reads a BPF object file. Malformed input throws <see cref="BpfFormatException"/>.</summary>
    public static BpfObject Open(string path, BpfObjectOptions? options = null)
    {
        var bytes = Interop.FileBytes.ReadAll(path, $"BPF object {path}");
        string name = options?.Name ?? DefaultName(path);
        return Open(bytes, name, options);
    }

    /// <summary>Reads a BPF object from memory; <paramref name="name"/> names it (global data maps are prefixed with it).</summary>
    public static BpfObject Open(ReadOnlyMemory<byte> elf, string name, BpfObjectOptions? options = null)
    {
        try
        {
            return new BpfObject(new ObjectParser(elf, name), options ?? new BpfObjectOptions());
        }
        catch (BpfFormatException) { throw; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException
                                      or InvalidCastException or OverflowException or IndexOutOfRangeException or NotSupportedException)
        {
            // The parsers validate what they read; anything that still slips through is reported as bad input.
            throw new BpfFormatException($"BPF object {name}", e.Message, e);
        }
    }

    private static string DefaultName(string path)
    {
        string file = Path.GetFileName(path);
        int dot = file.IndexOf('.');
        return dot > 0 ? file[..dot] : file;
    }

    /// <summary>The object's name: the one given in the options, else the file name up to its first dot.</summary>
    public string Name => _parser.ObjectName;
    /// <summary>The license from the object's <c>license</c> section, passed to every program load.</summary>
    public string License => _parser.License;
    /// <summary>Whether <see cref="Load"/> has created the maps and loaded the programs.</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>The object's programs, by function name.</summary>
    public IReadOnlyDictionary<string, BpfObjectProgram> Programs => _programs;
    /// <summary>The object's maps, by name, global data maps (<c>.data</c>, <c>.bss</c>, <c>.rodata</c>...) included.</summary>
    public IReadOnlyDictionary<string, BpfObjectMap> Maps => _maps;
    /// <summary>The object's global variables, by name.</summary>
    public IReadOnlyDictionary<string, BpfObjectVariable> Variables => _variables;

    /// <summary>The object's ELF (sections, symbols, relocations), for tools that inspect objects.</summary>
    public ElfFile Elf => _parser.Elf;

    /// <summary>The object's BTF, when it has some.</summary>
    public Btf.BtfSpec? Btf => _parser.Btf;

    /// <summary>The object's <c>.BTF.ext</c> (func and line info, CO-RE relocations), or null.</summary>
    internal Btf.BtfExt? BtfExt => _parser.BtfExt;

    /// <summary>
    /// Loads the object's BTF, creates its maps (writing global data and freezing <c>.rodata</c>), relocates
    /// and loads every program whose <see cref="BpfObjectProgram.Autoload"/> is on, and fills the
    /// <c>.values</c> of map-in-maps and program arrays. On failure everything created so far is released.
    /// </summary>
    public void Load()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsLoaded) throw new InvalidOperationException($"object {Name} is already loaded");
        try
        {
            _token = BpfToken.ForObject(_options.TokenPath);
            if (_parser.Externs.Count > 0)
                ExternResolver.Resolve(_parser, KernelBtf(), _options.KernelConfig ?? KernelConfig.Current, Name, () => UsdtUsesCookies);
            if (_parser.Btf is { } btf)
                _btf = LoadObjectBtf(btf);
            foreach (var map in _maps.Values.Where(m => m.Type == BpfMapType.StructOps))
                _structOps[map] = StructOpsBinding.Resolve(map, _parser.Btf!, KernelBtf(), _programs, Name);
            foreach (var map in _maps.Values) CreateMap(map);
            var usdt = UsdtSpecTable.Create(_maps, _parser.Btf, () => UsdtUsesCookies);
            foreach (var map in _maps.Values.Where(m => m.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps))
                foreach (var (slot, target) in map.InitialValues)
                    map.Map!.Update(slot, (_maps.GetValueOrDefault(target) ?? throw MissingValue(map, target)).Map!);
            // Link every program before loading any: a missing extern fails the load only if a program uses it.
            var linked = _programs.Values.Where(p => p.Autoload).Select(p => (Program: p, Linked: Link(p))).ToList();
            ExternResolver.ThrowIfMissing(_parser, linked.SelectMany(l => l.Linked.Externs).ToHashSet(), _options.KernelConfig ?? KernelConfig.Current, Name);
            foreach (var (prog, code) in linked)
            {
                LoadProgram(prog, code);
                prog.Program!.UsdtSpecs = usdt;
            }
            foreach (var map in _maps.Values.Where(m => m.Type == BpfMapType.ProgArray))
                foreach (var (slot, target) in map.InitialValues)
                {
                    var prog = _programs.GetValueOrDefault(target) ?? throw MissingValue(map, target);
                    if (prog.Program is not null) map.Map!.Update(slot, prog.Program);
                }
            // A .struct_ops.link map takes its value now and registers through AttachStructOps(); a plain .struct_ops map
            // would register on this update, so it waits for RegisterStructOps().
            foreach (var (map, binding) in _structOps.Where(s => s.Key.Flags.HasFlag(BpfMapFlags.Link)))
                map.Map!.Update(BitConverter.GetBytes(0), binding.BuildValue(map, _programs));
            IsLoaded = true;
            _pinnedByLoad.Clear();
        }
        catch
        {
            // A failed load leaves nothing behind: not even the pins it made (reused pins are not its own). A pin that
            // cannot be removed (its directory gone meanwhile) must neither keep the fds open nor hide the load's error.
            foreach (var path in _pinnedByLoad)
            {
                try { File.Delete(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            _pinnedByLoad.Clear();
            ReleaseKernelObjects();
            throw;
        }
        finally
        {
            _token?.Dispose();
            _token = null;
        }
    }

    // A global data map has only a value type, its DATASEC: the kernel takes that without a key type only for a
    // DATASEC, so where the kernel lacks them (and saw the DATASEC as a STRUCT) the map goes without BTF.
    private bool WithBtf(BpfObjectMap map) =>
        _btf is not null && map.BtfValueTypeId != 0 && (map.BtfKeyTypeId != 0 || BtfSupport.DataSec);

    private BpfException MissingValue(BpfObjectMap map, string target) =>
        new($"load of object {Name}", $"map {map.Name} is initialised with {target}, which the object does not define");

    private void CreateMap(BpfObjectMap map)
    {
        foreach (var def in map.InnerMap is { } innerDef ? [map, innerDef] : new[] { map })
            if (def.Type is BpfMapType.RingBuf or BpfMapType.UserRingBuf) def.MaxEntries = BpfObjectMap.RingBufferSize(def.MaxEntries);
        string? pinPath = PinPathOf(map);
        if (pinPath is not null && TryReusePinned(map, pinPath)) return;
        BpfMap? inner = null;
        try
        {
            // The inner map is only the outer map's template, but the kernel compares it with every map stored later
            // (a bpf_timer or spin lock in its value is known from BTF only) and storage maps need BTF to exist at all.
            if (map.InnerMap is { } innerDef)
                inner = BpfMap.Create(innerDef.Type, innerDef.KeySize, innerDef.ValueSize, innerDef.MaxEntries, new BpfMapCreateOptions
                {
                    Flags = innerDef.Flags,
                    Name = "inner",
                    Btf = WithBtf(innerDef) ? _btf : null,
                    BtfKeyTypeId = WithBtf(innerDef) ? innerDef.BtfKeyTypeId : 0,
                    BtfValueTypeId = WithBtf(innerDef) ? innerDef.BtfValueTypeId : 0,
                    Token = _token,
                });
            if (_structOps.TryGetValue(map, out var structOps))
            {
                // The kernel reads the struct from its own BTF but still wants the object's BTF beside it.
                map.ValueSize = structOps.ValueSize;
                map.Map = BpfMap.Create(map.Type, map.KeySize, map.ValueSize, map.MaxEntries, new BpfMapCreateOptions
                {
                    Name = map.Name,
                    Flags = map.Flags,
                    Btf = _btf,
                    BtfVmlinuxValueTypeId = (uint)structOps.ValueTypeId,
                    Token = _token,
                });
                return;
            }
            bool withBtf = WithBtf(map);
            map.Map = BpfMap.Create(map.Type, map.KeySize, map.ValueSize, map.MaxEntries, new BpfMapCreateOptions
            {
                Name = map.Name,
                Flags = map.Flags,
                NumaNode = map.NumaNode,
                MapExtra = map.MapExtra,
                InnerMap = inner,
                Btf = withBtf ? _btf : null,
                BtfKeyTypeId = withBtf ? map.BtfKeyTypeId : 0,
                BtfValueTypeId = withBtf ? map.BtfValueTypeId : 0,
                Token = _token,
            });
            if (map.Type == BpfMapType.Arena) ObjectArena.MapAndFill(map, map == _arenaMap ? _arenaData : null);
        }
        finally
        {
            inner?.Dispose();
        }
        if (map.InitialData is { } data)
        {
            map.Map.Update(BitConverter.GetBytes(0), data);
            if (map.IsReadOnly) map.Map.Freeze();
        }
        if (pinPath is not null)
        {
            map.Map.Pin(pinPath);
            _pinnedByLoad.Add(pinPath);
        }
    }

    // bpffs refuses '.' in names (EPERM), which global data maps have: pinned by name, '.' becomes '_' (as libbpf does).
    private string? PinPathOf(BpfObjectMap map) =>
        map.PinPath ?? (map.Pinning == BpfMapPinning.ByName ? Path.Combine(_options.PinRoot, map.Name.Replace('.', '_')) : null);

    /// <summary>LIBBPF_PIN_BY_NAME (or an explicit pin path): reuse the map pinned there when its definition matches.</summary>
    private bool TryReusePinned(BpfObjectMap map, string path)
    {
        if (!File.Exists(path)) return false;
        var pinned = BpfMap.OpenPinned(path);
        var info = pinned.GetInfo();
        var mismatch = new List<string>();
        if (info.Type != map.Type) mismatch.Add($"type {info.Type} vs {map.Type}");
        if (info.KeySize != map.KeySize) mismatch.Add($"key size {info.KeySize} vs {map.KeySize}");
        if (info.ValueSize != map.ValueSize) mismatch.Add($"value size {info.ValueSize} vs {map.ValueSize}");
        if (info.MaxEntries != map.MaxEntries) mismatch.Add($"max entries {info.MaxEntries} vs {map.MaxEntries}");
        if (info.Flags != map.Flags) mismatch.Add($"flags {info.Flags} vs {map.Flags}");
        if (mismatch.Count > 0)
        {
            pinned.Dispose();
            throw new BpfException($"load of object {Name}", $"the map pinned at {path} does not match map {map.Name}: {string.Join(", ", mismatch)}");
        }
        map.Map = pinned;
        return true;
    }

    private LinkedProgram Link(BpfObjectProgram prog)
    {
        if (prog.Type == BpfProgramType.Unspec)
            throw new BpfException($"load of object {Name}", $"program {prog.Name}: section '{prog.SectionName}' names no program type; set its Type before loading");
        return ProgramLinker.Link(_parser, prog, MapOfSymbol, CoreRelocator());
    }

    private void LoadProgram(BpfObjectProgram prog, LinkedProgram linked)
    {
        try
        {
            prog.Program = BpfProgram.Load(prog.Type, linked.Instructions, LoadOptions(prog, linked));
        }
        catch (BpfVerifierException e) when (linked.PoisonedRelocations.Count > 0 && e.VerifierLog.Contains(PoisonCall, StringComparison.Ordinal))
        {
            // The verifier reached an instruction a CO-RE relocation could not resolve: say which.
            var reached = linked.PoisonedRelocations.Where(p => e.VerifierLog.Contains($"{p.Key}: (85) call {PoisonCall}", StringComparison.Ordinal))
                .Select(p => $"instruction {p.Key}: {p.Value}").DefaultIfEmpty(string.Join("; ", linked.PoisonedRelocations.Values));
            throw new BpfVerifierException("BPF_PROG_LOAD", (int)e.Errno,
                $"program {prog.Name} reached a CO-RE relocation the kernel's BTF cannot satisfy: {string.Join("; ", reached)}", e.VerifierLog);
        }
        prog.Program.SectionName = prog.SectionName;
    }

    private static readonly string PoisonCall = $"unknown#{ProgramLinker.PoisonHelper}";

    private Btf.CoreRelocator? _coreRelocator;

    private Btf.CoreRelocator? CoreRelocator()
    {
        if (_parser.Btf is null || _parser.BtfExt is not { CoreRelocations.Count: > 0 }) return null;
        // Module BTF is searched only for the running kernel, and only for types vmlinux lacks.
        return _coreRelocator ??= new Btf.CoreRelocator(_parser.Btf, [KernelBtf()],
            _options.KernelBtf is null ? global::BpfSharp.Btf.CoreRelocator.LoadModuleSpecs : null);
    }

    /// <summary>
    /// Loads the object's BTF. As libbpf, a kernel that refuses it fails the load only when a struct_ops map needs it;
    /// otherwise maps and programs are created without BTF (no line info in verifier logs), and only what cannot
    /// work without it (a map with a spin lock or timer, a global function) fails, on its own.
    /// </summary>
    private SafeFdHandle? LoadObjectBtf(Btf.BtfSpec btf)
    {
        try
        {
            // Kinds the kernel lacks are rewritten to ones it has, keeping every type id (BtfSanitizer).
            var blob = global::BpfSharp.Btf.BtfSanitizer.Sanitize(ObjectBtf.FixUp(btf, _parser.Elf, _parser.Externs), BtfSupport);
            return BtfLoader.Load(blob, $"BTF of object {Name}", _token);
        }
        catch (BpfException e) when (e.Errno != 0 && !_maps.Values.Any(m => m.Type == BpfMapType.StructOps)) { return null; }
    }

    private Btf.BtfKindSupport? _btfSupport;

    /// <summary>The BTF kinds the kernel takes: probed once per process (or per token, with one), or forced by a test.</summary>
    private Btf.BtfKindSupport BtfSupport => _btfSupport ??= _options.BtfKindSupport ?? global::BpfSharp.Btf.BtfKindSupport.Probe(_token);

    private Btf.BtfSpec KernelBtf() => _options.KernelBtf ?? global::BpfSharp.Btf.BtfSpec.LoadKernel();

    private BpfProgramLoadOptions LoadOptions(BpfObjectProgram prog, LinkedProgram linked) => new()
    {
            Name = prog.Name.Length > 15 ? prog.Name[..15] : prog.Name,
            // An object without a license section declares none, as libbpf sends it: the kernel then refuses it the
            // GPL-only helpers and kernel types (the selftests' btf_type_tag_user expects that refusal).
            License = _parser.License,
            KernelVersion = _parser.KernelVersion,
            ExpectedAttachType = prog.ExpectedAttachType ?? UsdtAttachType(prog),
            AttachTarget = prog.AttachTarget,
            AttachBtfId = (uint)prog.StructOpsAttachBtfId,
            Flags = prog.Flags,
            LogLevel = _options.LogLevel,
            Token = _token,
            Btf = linked.FuncInfo.Length > 0 && HasFuncInfo ? _btf : null,
            // Function and line records point into the object's BTF: without it (refused by the kernel), or without
            // FUNC types in it (rewritten for a kernel before 5.0), they go too.
            FuncInfo = HasFuncInfo ? linked.FuncInfo : Array.Empty<byte>(),
            FuncInfoRecordSize = 8,
            LineInfo = HasFuncInfo ? linked.LineInfo : Array.Empty<byte>(),
            LineInfoRecordSize = 16,
    };

    private bool HasFuncInfo => _btf is not null && BtfSupport.Func;

    /// <summary>
    /// Whether USDT programs find their spec id in the attach cookie (libbpf's rule: where the kernel has BPF cookies);
    /// the object's <c>LINUX_HAS_BPF_COOKIE</c> says the same to the BPF side.
    /// </summary>
    private bool UsdtUsesCookies => !_options.UsdtWithoutCookies && Has(BpfFeatures.BpfCookie);

    /// <summary>A feature probe made as this object's system calls are: with its token when it has one.</summary>
    private bool Has(BpfFeature feature) => _token is null ? feature.IsSupported : feature.IsSupportedWith(_token);

    // As libbpf does, a usdt program is loaded for a uprobe.multi link where the kernel has them: one link for all sites.
    private BpfAttachType? UsdtAttachType(BpfObjectProgram prog) =>
        SectionDefinitions.TryMatch(prog.SectionName, out var def, out _) && def.Attacher == Links.SectionAttacher.Usdt
        && !_options.UsdtWithoutUprobeMulti && Has(BpfFeatures.UprobeMulti) ? BpfAttachType.TraceUprobeMulti : null;

    /// <summary>
    /// The address of an <c>__arena</c> global after <see cref="Load"/>: in this process (inside the arena map's
    /// <see cref="BpfObjectMap.Arena"/>) and, the same number, on the BPF side.
    /// </summary>
    public ulong ArenaAddressOf(string variable)
    {
        if (_arenaMap?.Arena is not { } arena) throw new InvalidOperationException($"object {Name} has no loaded arena");
        var sym = _parser.Elf.Symbols.FirstOrDefault(s => s.Name == variable && s.Section?.Name == ObjectArena.Section)
            ?? throw new KeyNotFoundException($"object {Name} has no __arena variable {variable}");
        return arena.Address + (ulong)_arenaMap.ArenaDataOffset + sym.Value;
    }

    private BpfObjectMap? MapOfSymbol(ElfSymbol sym)
    {
        var section = sym.Section!;
        if (section.Name == ".maps") return _maps.GetValueOrDefault(sym.Name);
        if (section.Name == ObjectArena.Section) return _arenaMap;
        if (section.Name == "maps") return _maps.Values.FirstOrDefault(m => m.SectionName == "maps" && m.SymbolOffset == sym.Value);
        return _maps.Values.FirstOrDefault(m => m.IsGlobalData && m.SectionIndex == section.Index);
    }

    /// <summary>
    /// Attaches what libbpf's skeleton attach does: every loaded program whose section says where
    /// (<see cref="AutoAttachExtensions.Attach"/>), and every <c>.struct_ops.link</c> map through a struct_ops link.
    /// A program whose section does not say where (<c>xdp</c>, <c>cgroup_skb/ingress</c>, a <c>uprobe</c> without
    /// its binary...) is skipped, and <paramref name="skipped"/> is told which, why, and the method that attaches it.
    /// On a failed attach the links made so far are disposed.
    /// </summary>
    public IReadOnlyList<BpfLink> AttachAll(Action<string>? skipped = null)
    {
        if (!IsLoaded) throw new InvalidOperationException($"object {Name} is not loaded");
        var links = new List<BpfLink>();
        try
        {
            foreach (var prog in _programs.Values)
            {
                if (prog.Program is null) continue;
                if (!SectionDefinitions.TryMatch(prog.SectionName, out var def, out string target))
                {
                    skipped?.Invoke($"program {prog.Name}: section '{prog.SectionName}' is not one BpfSharp knows how to attach");
                    continue;
                }
                // struct_ops programs run through their map, attached below.
                if (def.Attacher == Links.SectionAttacher.StructOps) continue;
                if (!def.Attacher.CanAttach(prog.SectionName, target, out string reason))
                {
                    skipped?.Invoke($"program {prog.Name}: {reason}");
                    continue;
                }
                links.Add(prog.Program.Attach());
            }
            foreach (var map in _structOps.Keys.Where(m => m.Flags.HasFlag(BpfMapFlags.Link)))
                if (map.Map is { } structOps) links.Add(structOps.AttachStructOps());
            return links;
        }
        catch
        {
            foreach (var l in links) l.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Registers a struct_ops map of a plain <c>.struct_ops</c> section by writing its value (the kernel registers
    /// on that update); disposing the registration deletes the element, which unregisters it. Maps of <c>.struct_ops.link</c> sections have
    /// their value from <see cref="Load"/> and register with <see cref="BpfMap"/>'s struct_ops link instead.
    /// </summary>
    public Links.StructOpsRegistration RegisterStructOps(string mapName)
    {
        if (!IsLoaded) throw new InvalidOperationException($"object {Name} is not loaded");
        var map = _maps[mapName];
        if (!_structOps.TryGetValue(map, out var binding)) throw new InvalidOperationException($"map {mapName} is not a struct_ops map");
        return map.Map!.RegisterStructOps(binding.BuildValue(map, _programs));
    }

    /// <summary>Takes a loaded program out of the object: disposing the object no longer closes it.</summary>
    public BpfProgram TakeProgram(string name)
    {
        var prog = _programs[name].Program ?? throw new InvalidOperationException($"program {name} is not loaded");
        _taken.Add(prog);
        return prog;
    }

    /// <summary>Takes a created map out of the object: disposing the object no longer closes it.</summary>
    public BpfMap TakeMap(string name)
    {
        var map = _maps[name].Map ?? throw new InvalidOperationException($"map {name} is not created");
        _taken.Add(map);
        return map;
    }

    internal BpfMappedMemory MemoryOf(BpfObjectMap map)
    {
        if (!_memory.TryGetValue(map, out var memory))
            _memory[map] = memory = map.Map!.MapMemory(writable: !map.IsReadOnly);
        return memory;
    }

    private void ReleaseKernelObjects()
    {
        foreach (var m in _memory.Values) m.Dispose();
        _memory.Clear();
        foreach (var p in _programs.Values)
        {
            if (p.Program is { } prog && !_taken.Contains(prog)) prog.Dispose();
            p.Program = null;
        }
        foreach (var m in _maps.Values)
        {
            m.Arena?.Dispose();
            m.Arena = null;
            if (m.Map is { } map && !_taken.Contains(map)) map.Dispose();
            m.Map = null;
        }
        _btf?.Dispose();
        _btf = null;
        _structOps.Clear();
    }

    /// <summary>Releases the maps, programs and BTF the object still owns (not those taken out of it); links keep their programs attached until they are disposed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ReleaseKernelObjects();
    }

    /// <summary>The object's name and its numbers of programs and maps.</summary>
    public override string ToString() => $"BPF object {Name} ({_programs.Count} programs, {_maps.Count} maps)";
}
