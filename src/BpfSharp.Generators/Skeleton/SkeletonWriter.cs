using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace BpfSharp.Generators.Skeleton;

/// <summary>
/// Writes the C# skeleton of a BPF object: a class with typed maps, programs by name, global variables as
/// properties, and every C type they use (plus those asked for by name) as a blittable struct or enum with the
/// object's exact layout. Used by the source generator and by <c>bpfsharp gen skeleton</c>.
/// </summary>
public static class SkeletonWriter
{
    /// <summary>The C# source for the object in <paramref name="elf"/>; problems go to <paramref name="issues"/>.</summary>
    public static string Write(byte[] elf, SkeletonOptions options, List<SkeletonIssue> issues) =>
        Build(() => BpfObjectModel.Read(elf), options, issues, typesOnly: false);

    /// <summary>
    /// The C# types of <see cref="SkeletonOptions.Types"/> (and the types they hold) from raw BTF, such as a kernel's
    /// <c>/sys/kernel/btf/vmlinux</c>, nested in a static class named by the options: the layouts a skeleton gives
    /// its object's types, for types no object carries whole (a CO-RE program declares only the fields it reads).
    /// </summary>
    public static string WriteTypes(byte[] btf, SkeletonOptions options, List<SkeletonIssue> issues) =>
        Build(() => BpfObjectModel.FromBtf(btf), options, issues, typesOnly: true);

    private static string Build(Func<BpfObjectModel> read, SkeletonOptions options, List<SkeletonIssue> issues, bool typesOnly)
    {
        BpfObjectModel model;
        try
        {
            model = read();
        }
        catch (Exception e) when (e is SkeletonException or IndexOutOfRangeException or ArgumentException)
        {
            issues.Add(new SkeletonIssue(SkeletonIssue.UnreadableObject, true, $"{options.ObjectFileName}: {e.Message}"));
            return "";
        }
        return new SkeletonBuilder(model, options, issues).Build(typesOnly);
    }
}

internal sealed class SkeletonBuilder
{
    private const string Interop = "global::System.Runtime.InteropServices";
    private static readonly HashSet<int> s_untypedMapKinds = new HashSet<int>
    {
        3 /* prog_array */, 4 /* perf_event_array */, 12 /* array_of_maps */, 13 /* hash_of_maps */,
        27 /* ringbuf */, 31 /* user_ringbuf */, 17 /* sockmap */, 18 /* sockhash */, 14 /* devmap */, 15 /* sockmap */,
    };
    private static readonly HashSet<int> s_perCpuMapKinds = new HashSet<int> { 5, 6, 10 };
    private static readonly HashSet<int> s_queueMapKinds = new HashSet<int> { 22, 23 };

    private readonly BpfObjectModel _model;
    private readonly BtfTypes _btf;
    private readonly SkeletonOptions _options;
    private readonly List<SkeletonIssue> _issues;
    private readonly Dictionary<int, string> _typeNames = new Dictionary<int, string>();
    private readonly Dictionary<string, (string Element, int Length, bool IsText)> _arrays = new Dictionary<string, (string, int, bool)>();
    private readonly HashSet<string> _taken = new HashSet<string>(StringComparer.Ordinal);
    private readonly Queue<(BtfType Type, string Name)> _pending = new Queue<(BtfType, string)>();
    private readonly StringBuilder _types = new StringBuilder();
    private bool _usesBitfields;

    public SkeletonBuilder(BpfObjectModel model, SkeletonOptions options, List<SkeletonIssue> issues)
    {
        _model = model;
        _btf = model.Btf;
        _options = options;
        _issues = issues;
        foreach (var reserved in new[] { "Maps", "Programs", "Variables", "AttachedLinks", "Object", "ObjectFileName" })
            _taken.Add(reserved);
    }

    /// <summary>The source; <paramref name="typesOnly"/>: the requested types in a static class, no object around them.</summary>
    public string Build(bool typesOnly = false)
    {
        string className = _options.EffectiveClassName();
        if (!CSharpNames.IsValidIdentifier(className))
        {
            _issues.Add(new SkeletonIssue(SkeletonIssue.InvalidIdentifier, true, $"{_options.ObjectFileName}: the skeleton class name '{className}' is not a valid C# identifier"));
            return "";
        }
        if (_options.Namespace.Length > 0 && !_options.Namespace.Split('.').All(CSharpNames.IsValidIdentifier))
        {
            _issues.Add(new SkeletonIssue(SkeletonIssue.InvalidIdentifier, true, $"{_options.ObjectFileName}: the namespace '{_options.Namespace}' is not a valid C# namespace"));
            return "";
        }
        _taken.Add(className);

        foreach (var requested in _options.Types)
        {
            var found = _btf.All.FirstOrDefault(t => t.Name == requested && t.Kind is BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Typedef);
            if (found is null)
                _issues.Add(new SkeletonIssue(SkeletonIssue.TypeNotFound, true, $"{_options.ObjectFileName}: type '{requested}' is not in the object's BTF (a type no code or map uses may have been dropped by clang: use it in the program, e.g. in a map's value or a global)"));
            else
                TypeRef(found.Id, requested);
        }

        var body = new StringBuilder();
        if (typesOnly)
        {
            body.AppendLine($"    /// <summary>C types from the BTF of <c>{Xml(_options.ObjectFileName)}</c>, with its exact layout.</summary>");
            body.AppendLine($"    public static partial class {className}");
            body.AppendLine("    {");
        }
        else
            WriteClass(body, className);
        while (_pending.Count > 0)
        {
            var (type, name) = _pending.Dequeue();
            if (type.Kind is BtfKind.Enum or BtfKind.Enum64) WriteEnum(type, name);
            else WriteStruct(type, name);
        }
        foreach (var array in _arrays.OrderBy(a => a.Key, StringComparer.Ordinal))
            WriteArray(array.Key, array.Value.Element, array.Value.Length, array.Value.IsText);

        var sb = new StringBuilder();
        sb.AppendLine("// <auto-generated>");
        sb.AppendLine($"// Generated by BpfSharp from the BTF of {_options.ObjectFileName}. Do not edit: rebuild the object instead.");
        sb.AppendLine("// </auto-generated>");
        sb.AppendLine("#nullable enable");
        sb.AppendLine("#pragma warning disable CS1591, CS8981");
        if (_options.Namespace.Length > 0) sb.AppendLine($"namespace {_options.Namespace}");
        sb.AppendLine("{");
        sb.Append(body);
        // Types are nested in the class: two objects in one project may both define struct event.
        sb.Append(_types);
        sb.AppendLine("    }");
        if (_usesBitfields) WriteBitfieldHelper(sb);
        sb.AppendLine("}");
        return sb.ToString();
    }

    private void WriteClass(StringBuilder sb, string className)
    {
        var programs = new HashSet<string>(StringComparer.Ordinal);
        var maps = new HashSet<string>(StringComparer.Ordinal);
        var variables = new HashSet<string>(StringComparer.Ordinal);
        sb.AppendLine($"    /// <summary>The skeleton of <c>{_options.ObjectFileName}</c>: its maps, programs and global variables, typed from its BTF.</summary>");
        sb.AppendLine($"    public sealed partial class {className} : global::System.IDisposable, global::System.IAsyncDisposable");
        sb.AppendLine("    {");
        sb.AppendLine($"        /// <summary>The object's file name, as copied to the output directory.</summary>");
        sb.AppendLine($"        public const string ObjectFileName = \"{_options.ObjectFileName}\";");
        sb.AppendLine();
        sb.AppendLine($"        private {className}(global::BpfSharp.BpfObject obj)");
        sb.AppendLine("        {");
        sb.AppendLine("            Object = obj;");
        sb.AppendLine("            Maps = new MapSet(obj);");
        sb.AppendLine("            Programs = new ProgramSet(obj);");
        sb.AppendLine("            Variables = new VariableSet(obj);");
        sb.AppendLine("        }");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>The object under the skeleton (not yet loaded after Open).</summary>");
        sb.AppendLine("        public global::BpfSharp.BpfObject Object { get; }");
        sb.AppendLine("        /// <summary>The object's maps, typed by their key and value BTF.</summary>");
        sb.AppendLine("        public MapSet Maps { get; }");
        sb.AppendLine("        /// <summary>The object's programs by name.</summary>");
        sb.AppendLine("        public ProgramSet Programs { get; }");
        sb.AppendLine("        /// <summary>The object's global variables: .rodata settable before Load() only, .data and .bss read and written in the maps' memory after it.</summary>");
        sb.AppendLine("        public VariableSet Variables { get; }");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>Opens the object from the application's directory (where the build copied it).</summary>");
        sb.AppendLine($"        public static {className} Open(global::BpfSharp.BpfObjectOptions? options = null) =>");
        sb.AppendLine("            Open(global::System.IO.Path.Combine(global::System.AppContext.BaseDirectory, ObjectFileName), options);");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>Opens the object from <paramref name=\"path\"/>.</summary>");
        sb.AppendLine($"        public static {className} Open(string path, global::BpfSharp.BpfObjectOptions? options = null) => new(global::BpfSharp.BpfObject.Open(path, options));");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>Opens and loads the object from the application's directory.</summary>");
        sb.AppendLine($"        public static {className} OpenAndLoad(global::BpfSharp.BpfObjectOptions? options = null)");
        sb.AppendLine("        {");
        sb.AppendLine("            var skeleton = Open(options);");
        sb.AppendLine("            try { skeleton.Load(); } catch { skeleton.Dispose(); throw; }");
        sb.AppendLine("            return skeleton;");
        sb.AppendLine("        }");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>Creates the maps and loads the programs into the kernel; .rodata is frozen from here on.</summary>");
        sb.AppendLine("        public void Load() => Object.Load();");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>Attaches every program whose section names its hook; disposing the result detaches them all.</summary>");
        sb.AppendLine("        public AttachedLinks Attach() => new(Object.AttachAll());");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>Closes the object's maps and programs (links returned by Attach() keep the programs they hold).</summary>");
        sb.AppendLine("        public void Dispose() => Object.Dispose();");
        sb.AppendLine();
        sb.AppendLine("        /// <inheritdoc cref=\"Dispose\"/>");
        sb.AppendLine("        public global::System.Threading.Tasks.ValueTask DisposeAsync() { Dispose(); return default; }");
        sb.AppendLine();
        sb.AppendLine("        /// <summary>The links <see cref=\"Attach\"/> made; disposing this disposes each of them.</summary>");
        sb.AppendLine("        public sealed class AttachedLinks : global::System.IDisposable");
        sb.AppendLine("        {");
        sb.AppendLine("            internal AttachedLinks(global::System.Collections.Generic.IReadOnlyList<global::BpfSharp.Links.BpfLink> links) => Links = links;");
        sb.AppendLine("            /// <summary>The links, in program order.</summary>");
        sb.AppendLine("            public global::System.Collections.Generic.IReadOnlyList<global::BpfSharp.Links.BpfLink> Links { get; }");
        sb.AppendLine("            /// <summary>Disposes every link (detaching each, unless disconnected), the last attached first.</summary>");
        sb.AppendLine("            public void Dispose() { for (int i = Links.Count - 1; i >= 0; i--) Links[i].Dispose(); }");
        sb.AppendLine("        }");
        sb.AppendLine();

        // Programs.
        sb.AppendLine("        /// <summary>The object's programs.</summary>");
        sb.AppendLine("        public sealed class ProgramSet");
        sb.AppendLine("        {");
        sb.AppendLine("            private readonly global::BpfSharp.BpfObject _object;");
        sb.AppendLine("            internal ProgramSet(global::BpfSharp.BpfObject obj) => _object = obj;");
        foreach (var (name, section) in _model.Programs)
        {
            sb.AppendLine($"            /// <summary>Program <c>{name}</c> (section <c>{Xml(section)}</c>).</summary>");
            sb.AppendLine($"            public global::BpfSharp.BpfObjectProgram {CSharpNames.Unique(CSharpNames.Pascal(name), programs)} => _object.Programs[\"{name}\"];");
        }
        sb.AppendLine("        }");
        sb.AppendLine();

        // Maps.
        var mapClasses = new StringBuilder();
        sb.AppendLine("        /// <summary>The object's maps.</summary>");
        sb.AppendLine("        public sealed class MapSet");
        sb.AppendLine("        {");
        sb.AppendLine("            internal MapSet(global::BpfSharp.BpfObject obj)");
        sb.AppendLine("            {");
        var mapProps = new List<(string Prop, string Class, string Name)>();
        foreach (var map in _model.Maps)
        {
            string prop = CSharpNames.Unique(CSharpNames.Pascal(map.Name), maps);
            string cls = CSharpNames.Unique(prop + "Map", _taken);
            mapProps.Add((prop, cls, map.Name));
            sb.AppendLine($"                {prop} = new {cls}(obj.Maps[\"{map.Name}\"]);");
            WriteMapClass(mapClasses, map, cls);
        }
        sb.AppendLine("            }");
        foreach (var (prop, cls, name) in mapProps)
        {
            sb.AppendLine($"            /// <summary>Map <c>{name}</c>.</summary>");
            sb.AppendLine($"            public {cls} {prop} {{ get; }}");
        }
        sb.AppendLine("        }");
        sb.AppendLine();
        sb.Append(mapClasses);

        // Variables: each property holds its variable, looked up once when the skeleton is opened, so that an
        // access is a read or write of the variable's bytes and no lookup by name.
        var properties = new List<(string Prop, string Type, BpfObjectModel.Variable Variable)>();
        foreach (var v in _model.Variables)
        {
            string? type = TypeRef(v.Type, v.Name);
            if (type is null)
            {
                _issues.Add(new SkeletonIssue(SkeletonIssue.Skipped, false, $"{_options.ObjectFileName}: variable '{v.Name}' has a type C# cannot lay out; it has no property"));
                continue;
            }
            properties.Add((CSharpNames.Unique(CSharpNames.Pascal(v.Name), variables), type, v));
        }
        sb.AppendLine("        /// <summary>The object's global variables.</summary>");
        sb.AppendLine("        public sealed class VariableSet");
        sb.AppendLine("        {");
        foreach (var (prop, _, _) in properties)
            sb.AppendLine($"            private readonly global::BpfSharp.BpfObjectVariable _{prop};");
        sb.AppendLine("            internal VariableSet(global::BpfSharp.BpfObject obj)");
        sb.AppendLine("            {");
        foreach (var (prop, _, v) in properties)
            sb.AppendLine($"                _{prop} = obj.Variables[\"{v.Name}\"];");
        sb.AppendLine("            }");
        foreach (var (prop, type, v) in properties)
        {
            string when = v.ReadOnly ? "settable before Load() only (the kernel freezes .rodata)" : "read and written in the map's memory after Load()";
            sb.AppendLine($"            /// <summary><c>{Xml(v.Name)}</c> in <c>{v.Section}</c>: {when}.</summary>");
            sb.AppendLine($"            public {type} {prop}");
            sb.AppendLine("            {");
            sb.AppendLine($"                get => _{prop}.Get<{type}>();");
            sb.AppendLine($"                set => _{prop}.Set(value);");
            sb.AppendLine("            }");
        }
        sb.AppendLine("        }");
        sb.AppendLine();
    }

    private void WriteMapClass(StringBuilder sb, BpfObjectModel.Map map, string cls)
    {
        string? key = map.KeyType != 0 ? TypeRef(map.KeyType, map.Name + "_key") : null;
        string? value = map.ValueType != 0 ? TypeRef(map.ValueType, map.Name + "_value") : null;
        sb.AppendLine($"        /// <summary>Map <c>{map.Name}</c>{(key is null ? "" : $", key <c>{key}</c>")}{(value is null ? "" : $", value <c>{value}</c>")}.</summary>");
        sb.AppendLine($"        public sealed class {cls}");
        sb.AppendLine("        {");
        sb.AppendLine($"            internal {cls}(global::BpfSharp.BpfObjectMap definition) => Definition = definition;");
        sb.AppendLine("            /// <summary>The map's definition (settable before Load()).</summary>");
        sb.AppendLine("            public global::BpfSharp.BpfObjectMap Definition { get; }");
        sb.AppendLine("            /// <summary>The kernel map, after Load().</summary>");
        sb.AppendLine($"            public global::BpfSharp.BpfMap Map => Definition.Map ?? throw new global::System.InvalidOperationException(\"map {map.Name} is not created: call Load() first\");");
        if (s_untypedMapKinds.Contains(map.MapType))
        {
            // Ring buffers and perf arrays carry records, not values: read them with the library's readers.
        }
        else if (s_queueMapKinds.Contains(map.MapType) && value is not null)
        {
            sb.AppendLine($"            public void Push(in {value} value) => Map.Push(value);");
            sb.AppendLine($"            public bool TryPop(out {value} value) => Map.TryPop(out value);");
            sb.AppendLine($"            public bool TryPeek(out {value} value) => Map.TryPeek(out value);");
        }
        else if (key is not null && value is not null && s_perCpuMapKinds.Contains(map.MapType))
        {
            sb.AppendLine("            /// <summary>The value on each possible CPU (values has one element per possible CPU).</summary>");
            sb.AppendLine($"            public bool TryLookup(in {key} key, global::System.Span<{value}> values) => Map.TryLookupPerCpu(key, values);");
            sb.AppendLine($"            public void Update(in {key} key, global::System.ReadOnlySpan<{value}> values, global::BpfSharp.BpfMapUpdateFlags flags = global::BpfSharp.BpfMapUpdateFlags.Any) => Map.UpdatePerCpu(key, values, flags);");
            sb.AppendLine($"            public bool Delete(in {key} key) => Map.Delete(key);");
        }
        else if (key is not null && value is not null)
        {
            sb.AppendLine($"            public bool TryLookup(in {key} key, out {value} value) => Map.TryLookup(key, out value);");
            sb.AppendLine($"            public {value} Lookup(in {key} key) => Map.Lookup<{key}, {value}>(key);");
            sb.AppendLine($"            public void Update(in {key} key, in {value} value, global::BpfSharp.BpfMapUpdateFlags flags = global::BpfSharp.BpfMapUpdateFlags.Any) => Map.Update(key, value, flags);");
            sb.AppendLine($"            public bool Delete(in {key} key) => Map.Delete(key);");
            sb.AppendLine($"            public bool TryGetNextKey(in {key} key, out {key} nextKey) => Map.TryGetNextKey(key, out nextKey);");
        }
        sb.AppendLine("        }");
        sb.AppendLine();
    }

    /// <summary>The C# type for a BTF type, registering the types it needs; null for what C# cannot lay out.</summary>
    private string? TypeRef(int id, string context)
    {
        var t = _btf.SkipModifiers(id);
        switch (t.Kind)
        {
            case BtfKind.Typedef:
            {
                var target = _btf.Resolve(t.Type);
                if (target.Kind is BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 && target.Name.Length == 0)
                    return Named(target, t.Name);
                return TypeRef(t.Type, t.Name);
            }
            case BtfKind.Int:
                return t.Size switch
                {
                    1 => t.IntSigned && !IsPlainChar(t) ? "sbyte" : "byte",
                    2 => t.IntSigned ? "short" : "ushort",
                    4 => t.IntSigned ? "int" : "uint",
                    8 => t.IntSigned ? "long" : "ulong",
                    16 => t.IntSigned ? "global::System.Int128" : "global::System.UInt128",
                    _ => null,
                };
            case BtfKind.Float:
                return t.Size switch { 2 => "global::System.Half", 4 => "float", 8 => "double", _ => null };
            case BtfKind.Ptr:
                return "ulong"; // a kernel or BPF address: 64 bits on every BPF target
            case BtfKind.Array:
            {
                if (t.ArrayLength == 0) return null; // a flexible array member has no size
                string? element = TypeRef(t.Type, context);
                if (element is null) return null;
                var elementType = _btf.Resolve(t.Type);
                bool text = elementType.Kind == BtfKind.Int && IsPlainChar(elementType);
                string name = $"Array{t.ArrayLength}Of{CSharpNames.Pascal(element.Replace("global::System.", ""))}{(text ? "Text" : "")}";
                _arrays[name] = (element, t.ArrayLength, text);
                return name;
            }
            case BtfKind.Struct:
            case BtfKind.Union:
                return t.Size == 0 ? null : Named(t, t.Name.Length > 0 ? t.Name : context);
            case BtfKind.Enum:
            case BtfKind.Enum64:
                return t.Size is 1 or 2 or 4 or 8 ? Named(t, t.Name.Length > 0 ? t.Name : context) : null;
            default:
                return null;
        }
    }

    /// <summary>C's <c>char</c> (text; signed on some targets, but a byte to C#), not <c>signed/unsigned char</c>.</summary>
    private static bool IsPlainChar(BtfType t) => t.Size == 1 && (t.IntChar || t.Name == "char");

    private string Named(BtfType t, string cName)
    {
        if (_typeNames.TryGetValue(t.Id, out var existing)) return existing;
        string name = CSharpNames.Unique(CSharpNames.Pascal(cName), _taken);
        _typeNames[t.Id] = name;
        _pending.Enqueue((t, cName));
        return name;
    }

    private void WriteStruct(BtfType t, string cName)
    {
        string name = _typeNames[t.Id];
        string kind = t.Kind == BtfKind.Union ? "union" : "struct";
        var members = new StringBuilder();
        var used = new HashSet<string>(StringComparer.Ordinal) { name };
        WriteMembers(members, t, 0, cName, used);
        // Explicit offsets and Pack = 1: the size is BTF's exactly, packed or not, with no padding added by .NET.
        _types.AppendLine($"        /// <summary>C <c>{kind} {Xml(t.Name.Length > 0 ? t.Name : cName)}</c>: {t.Size} bytes.</summary>");
        _types.AppendLine($"        [{Interop}.StructLayout({Interop}.LayoutKind.Explicit, Size = {t.Size}, Pack = 1)]");
        _types.AppendLine($"        public partial struct {name}");
        _types.AppendLine("        {");
        _types.Append(members);
        _types.AppendLine("        }");
        _types.AppendLine();
    }

    private void WriteMembers(StringBuilder sb, BtfType t, int baseBits, string context, HashSet<string> used)
    {
        foreach (var m in t.Members)
        {
            int bits = baseBits + m.BitOffset;
            var resolved = _btf.Resolve(m.Type);
            if (m.Name.Length == 0 && resolved.Kind is BtfKind.Struct or BtfKind.Union)
            {
                // An anonymous struct or union: its members are the parent's, as in C.
                WriteMembers(sb, resolved, bits, context, used);
                continue;
            }
            string field = CSharpNames.Unique(CSharpNames.Member(m.Name.Length > 0 ? m.Name : "_" + bits), used);
            int bitSize = m.BitSize != 0 ? m.BitSize : resolved.Kind == BtfKind.Int && resolved.IntBits != resolved.Size * 8 ? resolved.IntBits : 0;
            string? type = TypeRef(m.Type, context + "_" + m.Name);
            if (type is null)
            {
                _issues.Add(new SkeletonIssue(SkeletonIssue.Skipped, false, $"{_options.ObjectFileName}: {context}.{m.Name} has a type C# cannot lay out (a flexible array, an empty struct or a function); it is left out"));
                sb.AppendLine($"            // {m.Name} at byte {bits / 8}: not representable in C#, left out");
                continue;
            }
            if (bitSize != 0 || bits % 8 != 0)
            {
                _usesBitfields = true;
                bool signed = resolved.Kind == BtfKind.Int ? resolved.IntSigned : resolved.Kind is BtfKind.Enum or BtfKind.Enum64 && resolved.IntSigned;
                int size = bitSize != 0 ? bitSize : _btf.SizeOf(m.Type) * 8;
                string read = signed ? "ReadSigned" : "Read";
                sb.AppendLine($"            /// <summary>Bitfield <c>{Xml(m.Name)}</c>: {size} bits at bit {bits}.</summary>");
                sb.AppendLine($"            public {type} {field}");
                sb.AppendLine("            {");
                sb.AppendLine($"                get => ({type})BpfSkeletonBits.{read}(ref this, {bits}, {size});");
                sb.AppendLine($"                set => BpfSkeletonBits.Write(ref this, {bits}, {size}, unchecked((ulong)value));");
                sb.AppendLine("            }");
                continue;
            }
            sb.AppendLine($"            /// <summary><c>{Xml(m.Name)}</c> at byte {bits / 8}.</summary>");
            sb.AppendLine($"            [{Interop}.FieldOffset({bits / 8})] public {type} {field};");
            if (_arrays.TryGetValue(type, out var array) && array.IsText)
            {
                string text = CSharpNames.Unique(CSharpNames.Pascal(m.Name) + "String", used);
                sb.AppendLine($"            /// <summary><c>{Xml(m.Name)}</c> as text: UTF-8 up to the first NUL; set truncates to fit a NUL.</summary>");
                sb.AppendLine($"            public string {text} {{ get => {field}.ToString(); set => {field}.Set(value); }}");
            }
        }
    }

    private void WriteEnum(BtfType t, string cName)
    {
        string name = _typeNames[t.Id];
        string underlying = (t.Size, t.IntSigned) switch
        {
            (1, true) => "sbyte", (1, false) => "byte", (2, true) => "short", (2, false) => "ushort",
            (4, true) => "int", (4, false) => "uint", (8, true) => "long", _ => "ulong",
        };
        var used = new HashSet<string>(StringComparer.Ordinal);
        _types.AppendLine($"        /// <summary>C <c>enum {Xml(t.Name.Length > 0 ? t.Name : cName)}</c>.</summary>");
        _types.AppendLine($"        public enum {name} : {underlying}");
        _types.AppendLine("        {");
        foreach (var (member, value) in t.Enumerators)
        {
            ulong mask = t.Size == 8 ? ulong.MaxValue : (1UL << (t.Size * 8)) - 1;
            string literal = t.IntSigned ? value.ToString(CultureInfo.InvariantCulture) : ((ulong)value & mask).ToString(CultureInfo.InvariantCulture);
            _types.AppendLine($"            {CSharpNames.Unique(CSharpNames.Member(member), used)} = unchecked(({underlying}){literal}),");
        }
        _types.AppendLine("        }");
        _types.AppendLine();
    }

    private void WriteArray(string name, string element, int length, bool text)
    {
        _types.AppendLine($"        /// <summary>A C array of {length} <c>{element}</c>: index it, or use it as a span.</summary>");
        _types.AppendLine($"        [global::System.Runtime.CompilerServices.InlineArray({length})]");
        _types.AppendLine($"        public partial struct {name}");
        _types.AppendLine("        {");
        _types.AppendLine($"            private {element} _element0;");
        if (text)
        {
            _types.AppendLine("            /// <summary>The text up to the first NUL, decoded as UTF-8.</summary>");
            _types.AppendLine("            public override string ToString()");
            _types.AppendLine("            {");
            _types.AppendLine($"                global::System.ReadOnlySpan<byte> bytes = {Interop}.MemoryMarshal.CreateReadOnlySpan(ref _element0, {length});");
            // Extension methods called as static ones: the generated file must not depend on the project's usings.
            _types.AppendLine("                int end = global::System.MemoryExtensions.IndexOf(bytes, (byte)0);");
            _types.AppendLine("                return global::System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes.Slice(0, end));");
            _types.AppendLine("            }");
            _types.AppendLine("            /// <summary>Stores <paramref name=\"text\"/> as UTF-8, truncated to leave room for the NUL, and zeroes the rest.</summary>");
            _types.AppendLine("            public void Set(string text)");
            _types.AppendLine("            {");
            _types.AppendLine($"                global::System.Span<byte> bytes = {Interop}.MemoryMarshal.CreateSpan(ref _element0, {length});");
            _types.AppendLine("                bytes.Clear();");
            _types.AppendLine("                var encoded = global::System.Text.Encoding.UTF8.GetBytes(text);");
            _types.AppendLine("                global::System.MemoryExtensions.AsSpan(encoded, 0, global::System.Math.Min(encoded.Length, bytes.Length - 1)).CopyTo(bytes);");
            _types.AppendLine("            }");
        }
        _types.AppendLine("        }");
        _types.AppendLine();
    }

    private static void WriteBitfieldHelper(StringBuilder sb)
    {
        sb.AppendLine();
        sb.AppendLine("    /// <summary>Bitfield access in little-endian bit order, as clang lays bitfields out for BPF.</summary>");
        sb.AppendLine("    file static class BpfSkeletonBits");
        sb.AppendLine("    {");
        sb.AppendLine("        public static ulong Read<T>(ref T value, int bitOffset, int bitSize) where T : unmanaged");
        sb.AppendLine("        {");
        sb.AppendLine($"            var bytes = {Interop}.MemoryMarshal.AsBytes({Interop}.MemoryMarshal.CreateSpan(ref value, 1));");
        sb.AppendLine("            ulong result = 0;");
        sb.AppendLine("            for (int i = 0; i < bitSize; i++)");
        sb.AppendLine("            {");
        sb.AppendLine("                int bit = bitOffset + i;");
        sb.AppendLine("                if ((bytes[bit >> 3] >> (bit & 7) & 1) != 0) result |= 1UL << i;");
        sb.AppendLine("            }");
        sb.AppendLine("            return result;");
        sb.AppendLine("        }");
        sb.AppendLine();
        sb.AppendLine("        public static long ReadSigned<T>(ref T value, int bitOffset, int bitSize) where T : unmanaged");
        sb.AppendLine("        {");
        sb.AppendLine("            ulong raw = Read(ref value, bitOffset, bitSize);");
        sb.AppendLine("            int shift = 64 - bitSize;");
        sb.AppendLine("            return (long)(raw << shift) >> shift;");
        sb.AppendLine("        }");
        sb.AppendLine();
        sb.AppendLine("        public static void Write<T>(ref T value, int bitOffset, int bitSize, ulong bits) where T : unmanaged");
        sb.AppendLine("        {");
        sb.AppendLine($"            var bytes = {Interop}.MemoryMarshal.AsBytes({Interop}.MemoryMarshal.CreateSpan(ref value, 1));");
        sb.AppendLine("            for (int i = 0; i < bitSize; i++)");
        sb.AppendLine("            {");
        sb.AppendLine("                int bit = bitOffset + i;");
        sb.AppendLine("                if ((bits >> i & 1) != 0) bytes[bit >> 3] |= (byte)(1 << (bit & 7));");
        sb.AppendLine("                else bytes[bit >> 3] &= (byte)~(1 << (bit & 7));");
        sb.AppendLine("            }");
        sb.AppendLine("        }");
        sb.AppendLine("    }");
    }

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
