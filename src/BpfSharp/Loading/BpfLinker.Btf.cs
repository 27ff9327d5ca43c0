using System.Buffers.Binary;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp.Loading;

public sealed partial class BpfLinker
{
    private sealed partial class LinkState
    {
        private BtfSpec?[]? _specs;

        private BtfSpec? SpecOf(int input)
        {
            _specs ??= new BtfSpec?[inputs.Count];
            if (_specs[input] is null && inputs[input].Elf.FindSection(".BTF") is { } s)
            {
                try { _specs[input] = BtfSpec.Parse(s.Data.Span); }
                catch (BpfException e) { throw new BpfException(Operation, $"{inputs[input].Name}: bad .BTF: {e.Message}", e); }
            }
            return _specs[input];
        }

        /// <summary>
        /// A map declared in two inputs (a definition and an <c>extern</c>, or two weak definitions) must be the same
        /// map: every field of its BTF definition (type, max_entries, key and value sizes, flags...) must agree.
        /// </summary>
        private void CheckMapsAgree(int input, ElfSymbol sym, GlobalSymbol g)
        {
            g.FirstInput ??= input;
            if (g.FirstInput == input) return;
            var mine = DescribeMap(input, sym.Name);
            var theirs = DescribeMap(g.FirstInput.Value, sym.Name);
            if (mine is null || theirs is null) return;
            foreach (var (field, value) in theirs)
            {
                string other = mine.GetValueOrDefault(field, "(absent)");
                if (other != value)
                    throw new BpfException(Operation, $"map '{sym.Name}' is declared differently in {inputs[g.FirstInput.Value].Name} and {inputs[input].Name}: {field} is {value} there and {other} here");
            }
            foreach (var field in mine.Keys.Where(k => !theirs.ContainsKey(k)))
                throw new BpfException(Operation, $"map '{sym.Name}' is declared differently in {inputs[g.FirstInput.Value].Name} and {inputs[input].Name}: {field} is absent there");
        }

        /// <summary>
        /// A function (or variable) declared in one input and defined in another, or defined weakly in both, must have
        /// the same BTF signature: the same number of parameters, and the same kinds, names and sizes of return and
        /// parameter types (typedefs and qualifiers looked through).
        /// </summary>
        private void CheckTypesAgree(int input, ElfSymbol sym, GlobalSymbol g)
        {
            if (g.FirstInput is not { } first || first == input) return;
            var mine = DescribeGlobal(input, sym.Name);
            var theirs = DescribeGlobal(first, sym.Name);
            if (mine is null || theirs is null || mine == theirs) return;
            throw new BpfException(Operation, $"'{sym.Name}' has different types in {inputs[first].Name} and {inputs[input].Name}: {theirs} there and {mine} here");
        }

        private string? DescribeGlobal(int input, string name)
        {
            var spec = SpecOf(input);
            if (spec is null) return null;
            foreach (var t in spec.Types)
            {
                if (t.Name != name) continue;
                if (t is BtfFunc { Linkage: not BtfLinkage.Static } f) return Describe(spec, f.ProtoId, 0);
                if (t is BtfVar { Linkage: not BtfLinkage.Static } v && !IsMap(spec, v.Id)) return Describe(spec, v.TypeId, 0);
            }
            return null;
        }

        private static bool IsMap(BtfSpec spec, int varId) =>
            spec.Types.OfType<BtfDataSec>().Any(d => d.Name == ".maps" && d.Variables.Any(v => v.TypeId == varId));

        private static string Describe(BtfSpec spec, int id, int depth)
        {
            if (id == 0) return "void";
            id = spec.SkipModifiers(id);
            var t = spec[id];
            return t switch
            {
                _ when id == 0 => "void",
                BtfPointer p => depth > 3 ? "pointer" : "pointer to " + Describe(spec, p.TargetId, depth + 1),
                BtfArray a => $"{Describe(spec, a.ElementTypeId, depth + 1)}[{a.Length}]",
                BtfFuncProto fp => $"{Describe(spec, fp.ReturnTypeId, depth + 1)} ({string.Join(", ", fp.Parameters.Select(p => Describe(spec, p.TypeId, depth + 1)))}{(fp.IsVariadic ? ", ..." : "")})",
                _ => $"{t.Kind.ToKernelName()} '{t.Name}'" + (spec.TryGetSize(id, out int size) ? $" of {size} bytes" : ""),
            };
        }

        /// <summary>The fields of a BTF-defined map (<c>__uint</c> values, <c>__type</c> sizes), or null when the name is no map of this input.</summary>
        private Dictionary<string, string>? DescribeMap(int input, string name)
        {
            var spec = SpecOf(input);
            if (spec is null) return null;
            var maps = spec.Types.OfType<BtfDataSec>().FirstOrDefault(d => d.Name == ".maps");
            if (maps is null) return null;
            foreach (var v in maps.Variables)
            {
                if (spec[v.TypeId] is not BtfVar var || var.Name != name) continue;
                if (spec[spec.SkipModifiers(var.TypeId)] is not BtfComposite def) return null;
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var m in def.Members)
                {
                    var t = spec[spec.SkipModifiers(m.TypeId)];
                    if (t is BtfPointer p)
                    {
                        var target = spec[spec.SkipModifiers(p.TargetId)];
                        fields[m.Name] = target is BtfArray a ? a.Length.ToString()
                            : spec.TryGetSize(target.Id, out int size) ? $"a {size}-byte {target.Kind.ToKernelName()}" : target.Kind.ToKernelName();
                    }
                    else fields[m.Name] = t.Kind.ToKernelName();
                }
                return fields;
            }
            return null;
        }

        /// <summary>
        /// One BTF for the linked object: every input's types renumbered into one builder, extern FUNCs and VARs that
        /// found a definition dropped, each DATASEC rebuilt from the inputs' variables at their new offsets (sorted, as
        /// the kernel wants), then deduplicated; and the .BTF.ext records moved with their sections.
        /// </summary>
        public (byte[]? Btf, byte[]? Ext) MergeBtf()
        {
            if (Enumerable.Range(0, inputs.Count).All(i => SpecOf(i) is null)) return (null, null);
            var builder = new BtfBuilder();
            var idMaps = new int[inputs.Count][];
            var sharedExterns = new Dictionary<(BtfKind, string), int>();
            int next = 1;
            for (int i = 0; i < inputs.Count; i++)
            {
                var spec = SpecOf(i);
                if (spec is null) continue;
                var map = idMaps[i] = new int[spec.Count];
                var kept = new List<BtfType>();
                var orphans = TypesOnlyExternsUse(spec);
                for (int id = 1; id < spec.Count; id++)
                {
                    var t = spec[id];
                    if (t is BtfDataSec || orphans.Contains(id)) continue;
                    if (t is BtfFunc { Linkage: BtfLinkage.Extern } or BtfVar { Linkage: BtfLinkage.Extern })
                    {
                        if (IsResolved(t)) continue; // the definition's own type stays
                        if (sharedExterns.TryGetValue((t.Kind, t.Name), out int earlier)) { map[id] = earlier; continue; }
                        sharedExterns[(t.Kind, t.Name)] = next;
                    }
                    map[id] = next++;
                    kept.Add(t);
                }
                foreach (var t in kept) builder.Add(t, old => map[old]);
            }

            foreach (var (name, variables) in MergedDataSections(idMaps))
                builder.AddDataSec(name, _byName.TryGetValue(name, out var s) ? (int)s.Size : 0, variables);
            int[] dedup = builder.Deduplicate();
            int Final(int input, int id) => dedup[idMaps[input][id]];

            var ext = new ExtWriter();
            for (int i = 0; i < inputs.Count; i++)
            {
                var spec = SpecOf(i);
                if (spec is null || inputs[i].Elf.FindSection(".BTF.ext") is not { } extSection) continue;
                BtfExt parsed;
                try { parsed = BtfExt.Parse(extSection.Data.Span, spec); }
                catch (BpfException e) { throw new BpfException(Operation, $"{inputs[i].Name}: bad .BTF.ext: {e.Message}", e); }
                int input = i;
                int Shift(string section) =>
                    inputs[input].Elf.FindSection(section) is { } s && _placements[input][s.Index] is { } p ? (int)p.Shift
                        : throw new BpfException(Operation, $"{inputs[input].Name}: .BTF.ext describes section '{section}', which the object does not have");
                foreach (var (section, records) in parsed.FuncInfo)
                    ext.Func(section).AddRange(records.Select(f => f with { InstructionOffset = f.InstructionOffset + Shift(section), TypeId = Final(input, f.TypeId) }));
                foreach (var (section, records) in parsed.LineInfo)
                    ext.Line(section).AddRange(records.Select(l => (l with { InstructionOffset = l.InstructionOffset + Shift(section) }, spec.GetString(l.FileNameOffset), spec.GetString(l.LineOffset))));
                foreach (var (section, records) in parsed.CoreRelocations)
                    ext.Core(section).AddRange(records.Select(c => (c with { InstructionOffset = c.InstructionOffset + Shift(section), TypeId = Final(input, c.TypeId) }, spec.GetString(c.AccessStringOffset))));
            }
            var btf = builder.Build();
            var strings = new BtfStringAppender(btf);
            var extBytes = ext.Write(strings);
            return (strings.Finish(), ext.IsEmpty ? null : extBytes);
        }

        private bool IsResolved(BtfType t) =>
            t is BtfFunc { Linkage: BtfLinkage.Extern } or BtfVar { Linkage: BtfLinkage.Extern }
            && _globals.TryGetValue(t.Name, out var g) && g.DefinedIn >= 0;

        /// <summary>
        /// Types that only a resolved extern refers to (its FUNC_PROTO with unnamed parameters): dropped with it, as
        /// nothing in the linked object names them.
        /// </summary>
        private HashSet<int> TypesOnlyExternsUse(BtfSpec spec)
        {
            var fromExterns = new HashSet<int>();
            var work = new Stack<int>(Enumerable.Range(1, spec.Count - 1).Where(id => IsResolved(spec[id])));
            var roots = work.ToHashSet();
            while (work.Count > 0)
                foreach (int r in BtfRecord.From(spec[work.Pop()]).References())
                    if (r > 0 && fromExterns.Add(r)) work.Push(r);
            if (fromExterns.Count == 0) return fromExterns;
            var live = new HashSet<int>();
            foreach (int id in Enumerable.Range(1, spec.Count - 1).Where(id => !roots.Contains(id) && !fromExterns.Contains(id) && spec[id] is not BtfDataSec))
                work.Push(id);
            while (work.Count > 0)
                foreach (int r in BtfRecord.From(spec[work.Pop()]).References())
                    if (r > 0 && live.Add(r)) work.Push(r);
            fromExterns.ExceptWith(live);
            fromExterns.ExceptWith(roots);
            return fromExterns;
        }

        private List<(string Name, List<BtfVarSecInfo> Variables)> MergedDataSections(int[][] idMaps)
        {
            var result = new List<(string Name, List<BtfVarSecInfo> Variables)>();
            for (int i = 0; i < inputs.Count; i++)
            {
                var spec = SpecOf(i);
                if (spec is null) continue;
                foreach (var d in spec.Types.OfType<BtfDataSec>())
                {
                    var entry = result.FirstOrDefault(r => r.Name == d.Name);
                    if (entry.Variables is null) result.Add(entry = (d.Name, []));
                    var elfSection = inputs[i].Elf.FindSection(d.Name);
                    long shift = elfSection is { } s && _placements[i][s.Index] is { } p ? p.Shift : 0;
                    // clang leaves a DATASEC's offsets 0 (libbpf fills them in at load): the symbol's value is the truth.
                    var offsets = elfSection is null ? null : inputs[i].Elf.Symbols
                        .Where(sym => sym.SectionIndex == (uint)elfSection.Index && sym.Type == ElfSymbolType.Object)
                        .GroupBy(sym => sym.Name).ToDictionary(group => group.Key, group => (int)group.First().Value, StringComparer.Ordinal);
                    foreach (var v in d.Variables)
                    {
                        int id = idMaps[i][v.TypeId];
                        if (id == 0 || entry.Variables.Any(e => e.TypeId == id)) continue;
                        // A weak definition that another input overrides keeps its bytes but loses its name.
                        if (spec[v.TypeId] is BtfVar { Linkage: BtfLinkage.Global } var && _globals.TryGetValue(var.Name, out var g) && g.DefinedIn != i) continue;
                        int offset = offsets is not null && offsets.TryGetValue(spec[v.TypeId].Name, out int at) ? at : v.Offset;
                        entry.Variables.Add(new BtfVarSecInfo(id, offset + (int)shift, v.Size));
                    }
                }
            }
            foreach (var (_, variables) in result) variables.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            // In the order of the output's sections, as libbpf's linker writes them; extern-only ones (.kconfig, .ksyms) last.
            return result.OrderBy(r => _byName.TryGetValue(r.Name, out var s) && Sections.IndexOf(s) is >= 0 and var at ? at : int.MaxValue).ToList();
        }
    }

    /// <summary>Adds strings after a built BTF blob's string section (line info text, access strings) and fixes its header.</summary>
    private sealed class BtfStringAppender
    {
        private readonly byte[] _blob;
        private readonly MemoryStream _extra = new();
        private readonly Dictionary<string, int> _offsets = new(StringComparer.Ordinal);
        private readonly int _length;

        public BtfStringAppender(byte[] blob)
        {
            _blob = blob;
            int hdr = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4));
            int start = hdr + (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(16));
            _length = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(20));
            var section = blob.AsSpan(start, _length);
            for (int at = 0; at < section.Length;)
            {
                int end = section[at..].IndexOf((byte)0);
                _offsets.TryAdd(Encoding.UTF8.GetString(section.Slice(at, end)), at);
                at += end + 1;
            }
        }

        public int Add(string s)
        {
            if (_offsets.TryGetValue(s, out int at)) return at;
            at = _length + (int)_extra.Length;
            _extra.Write(Encoding.UTF8.GetBytes(s));
            _extra.WriteByte(0);
            _offsets[s] = at;
            return at;
        }

        public byte[] Finish()
        {
            var result = new byte[_blob.Length + _extra.Length];
            _blob.CopyTo(result, 0);
            _extra.ToArray().CopyTo(result, _blob.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(20), (uint)(_length + _extra.Length));
            return result;
        }
    }

    /// <summary>Writes .BTF.ext (version 1, with CO-RE relocations): per section, func info, line info and CO-RE records.</summary>
    private sealed class ExtWriter
    {
        private readonly Dictionary<string, List<BtfFuncInfo>> _func = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<(BtfLineInfo Info, string File, string Line)>> _line = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<(BtfCoreRelocation Info, string Access)>> _core = new(StringComparer.Ordinal);

        public List<BtfFuncInfo> Func(string s) => Get(_func, s);
        public List<(BtfLineInfo Info, string File, string Line)> Line(string s) => Get(_line, s);
        public List<(BtfCoreRelocation Info, string Access)> Core(string s) => Get(_core, s);
        public bool IsEmpty => _func.Count == 0 && _line.Count == 0 && _core.Count == 0;

        private static List<T> Get<T>(Dictionary<string, List<T>> d, string s) => d.TryGetValue(s, out var l) ? l : d[s] = [];

        public byte[] Write(BtfStringAppender strings)
        {
            var func = Subsection(_func, 8, strings, (w, f) => { w(f.InstructionOffset); w(f.TypeId); });
            var line = Subsection(_line, 16, strings, (w, l) => { w(l.Info.InstructionOffset); w(strings.Add(l.File)); w(strings.Add(l.Line)); w(l.Info.LineAndColumn); });
            var core = Subsection(_core, 16, strings, (w, c) => { w(c.Info.InstructionOffset); w(c.Info.TypeId); w(strings.Add(c.Access)); w(c.Info.Kind); });
            var blob = new byte[32 + func.Length + line.Length + core.Length];
            var span = blob.AsSpan();
            BinaryPrimitives.WriteUInt16LittleEndian(span, 0xEB9F);
            span[2] = 1;
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 32);
            BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)func.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)func.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)line.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)(func.Length + line.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)core.Length);
            func.CopyTo(blob, 32);
            line.CopyTo(blob, 32 + func.Length);
            core.CopyTo(blob, 32 + func.Length + line.Length);
            return blob;
        }

        /// <summary>The record size, then for each section its name, its record count and the records; empty when no section has any.</summary>
        private static byte[] Subsection<T>(Dictionary<string, List<T>> sections, int recordSize, BtfStringAppender strings, Action<Action<int>, T> write)
        {
            var live = sections.Where(kv => kv.Value.Count > 0).ToList();
            if (live.Count == 0) return [];
            using var ms = new MemoryStream();
            var word = new byte[4];
            void W(int v) { BinaryPrimitives.WriteInt32LittleEndian(word, v); ms.Write(word); }
            W(recordSize);
            foreach (var (name, records) in live)
            {
                W(strings.Add(name));
                W(records.Count);
                foreach (var r in records) write(W, r);
            }
            return ms.ToArray();
        }
    }
}
