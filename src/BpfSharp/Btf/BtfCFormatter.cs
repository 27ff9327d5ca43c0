using System.Text;

namespace BpfSharp.Btf;

/// <summary>
/// Writes the types of a BTF spec as a C header that clang compiles (a <c>vmlinux.h</c> when given the kernel's
/// BTF): every named enum first, a forward declaration of every named struct and union, then typedefs and
/// struct/union definitions in an order where each type is complete before a member embeds it by value.
/// </summary>
/// <remarks>
/// Member layout follows the BTF offsets: gaps become unnamed bitfields and structs whose members sit off their
/// natural alignment are marked <c>packed</c>. Names that C would see twice (two different structs named alike
/// after deduplication, an enumerator repeated across enums) get a <c>___N</c> suffix. Anonymous enums are
/// emitted once at top level and referred to by their integer type, since an anonymous enum written inline at
/// each use would define its enumerators again.
/// <para>Bad input: every walk is bounded (<see cref="MaxWalkDepth"/> nested steps, and output of at most
/// <see cref="MaxOutputLength"/> characters or 16 per byte of BTF, whichever is more); BTF that C cannot express
/// within those bounds (a loop through anonymous types and prototypes, nesting deeper than a compiler accepts) is a
/// <see cref="BpfFormatException"/> naming the type. Errors of the output writer itself come through
/// unchanged.</para>
/// </remarks>
public sealed class BtfCFormatter
{
    private enum State : byte { None, Visiting, Done }

    /// <summary>How many nested steps (declarations, declarators, inline bodies) a walk may take.</summary>
    public const int MaxWalkDepth = 2048;

    /// <summary>
    /// The output always allowed; larger BTF may produce up to 16 characters per byte of it (vmlinux's header is
    /// about one per byte: the rest is for anonymous types that C repeats inline).
    /// </summary>
    public const long MaxOutputLength = 4L << 20;

    private readonly BtfSpec _spec;
    private readonly TextWriter _out;
    private readonly State[] _defined;
    private readonly bool[] _typedefEmitted;
    private readonly string?[] _names;
    private readonly Dictionary<string, int> _tagNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _ordinaryNames = new(StringComparer.Ordinal);
    private readonly Dictionary<(int, int), string> _enumeratorNames = [];
    // The next ___N suffix to try per name, so that claiming a name repeated n times costs O(n), not O(n²).
    private readonly Dictionary<string, int> _nextSuffix = new(StringComparer.Ordinal);
    private readonly bool[] _declared;
    private readonly long _outputBudget;
    private long _produced;
    private int _depth;

    private BtfCFormatter(BtfSpec spec, TextWriter output)
    {
        _spec = spec;
        _out = output;
        _defined = new State[spec.Count];
        _typedefEmitted = new bool[spec.Count];
        _names = new string?[spec.Count];
        _declared = new bool[spec.Count];
        long btfBytes = 0;
        for (var s = spec; s is not null; s = s.Base) btfBytes += s.Data.Length;
        _outputBudget = Math.Max(MaxOutputLength, 16 * btfBytes);
    }

    /// <summary>Writes the whole header, wrapped in an include guard named after <paramref name="guard"/>.</summary>
    /// <exception cref="BpfFormatException">The BTF cannot be written as C within the bounds (see the remarks).</exception>
    public static void Write(BtfSpec spec, TextWriter output, string guard = "__VMLINUX_H__")
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var formatter = new BtfCFormatter(spec, output);
        // The walks recurse at most MaxWalkDepth frames deep: a thread with a stack sized for that, whatever the
        // caller's thread has left.
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try { formatter.WriteAll(guard); }
            catch (Exception e) { failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }, 64 * 1024 * 1024);
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private BpfFormatException Error(int id, string rule) => new("BTF", $"type {id} ({_spec.GetKind(id).ToKernelName()}): {rule}");

    /// <summary>Enters one nested step of a walk, refusing to go deeper than <see cref="MaxWalkDepth"/>.</summary>
    private void Enter(int id)
    {
        if (++_depth > MaxWalkDepth)
            throw Error(id, $"writing it as C nests more than {MaxWalkDepth} steps deep (a loop through anonymous types, or deeper than C compilers accept)");
    }

    /// <summary>Counts text produced (every piece of a declaration passes here) against the output budget.</summary>
    private string Produced(int id, string text)
    {
        _produced += text.Length;
        if (_produced > _outputBudget)
            throw Error(id, $"writing the BTF as C takes more than {_outputBudget} characters (anonymous types repeated inline)");
        return text;
    }

    /// <summary>The header as a string.</summary>
    public static string Format(BtfSpec spec, string guard = "__VMLINUX_H__")
    {
        var writer = new StringWriter();
        Write(spec, writer, guard);
        return writer.ToString();
    }

    private void WriteAll(string guard)
    {
        AssignNames();
        _out.Write($"#ifndef {guard}\n#define {guard}\n\n");
        // CO-RE: field accesses through these types become relocations (the convention of generated vmlinux.h).
        _out.Write("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n");

        for (int id = 1; id < _spec.Count; id++)
            if (_spec.GetKind(id) is BtfKind.Enum or BtfKind.Enum64) WriteEnum((BtfEnum)Type(id));
        _out.Write('\n');
        for (int id = 1; id < _spec.Count; id++)
        {
            var kind = _spec.GetKind(id);
            if (kind is BtfKind.Struct or BtfKind.Union && _names[id] is { } tag)
                _out.Write($"{(kind == BtfKind.Union ? "union" : "struct")} {tag};\n");
            else if (kind == BtfKind.Forward && Type(id) is var f && !IsForwardOfDefined(f))
                _out.Write($"{TagKeyword(f)} {_names[id]};\n");
        }
        _out.Write('\n');
        for (int id = 1; id < _spec.Count; id++)
        {
            var kind = _spec.GetKind(id);
            if (kind is BtfKind.Struct or BtfKind.Union ? _names[id] is not null : kind == BtfKind.Typedef && !IsBuiltin(id))
                Define(id);
        }

        _out.Write("\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
        _out.Write($"#endif /* {guard} */\n");
    }

    /// <summary>Names the compiler defines itself; redefining them is an error.</summary>
    private bool IsBuiltin(int typedefId) => _spec.GetStringBytes((int)_spec.ReadWord(typedefId, 0)).SequenceEqual("__builtin_va_list"u8);

    /// <summary>
    /// The type's object, created from its record and not kept: a header of the kernel's BTF visits all 125,000
    /// types, and caching them in the spec (the process-wide one, for the kernel) would hold them all until exit.
    /// The walks below look at kinds and flags first and create an object only for a type they write.
    /// </summary>
    private BtfType Type(int id) => id == 0 ? _spec[0] : _spec.CreateUncached(id);

    private bool IsForwardOfDefined(BtfType t) =>
        t is BtfForward f && _tagNames.TryGetValue(_names[f.Id]!, out int owner) && owner != f.Id;

    private static string TagKeyword(BtfType t) => t switch
    {
        BtfUnion => "union",
        BtfForward { IsUnion: true } => "union",
        BtfEnum => "enum",
        _ => "struct",
    };

    /// <summary>Gives every named struct, union, enum, forward, typedef and enumerator a name unique in its C namespace.</summary>
    private void AssignNames()
    {
        for (int id = 1; id < _spec.Count; id++)
        {
            switch (_spec.GetKind(id))
            {
                case BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64:
                    string name = _spec.GetName(id);
                    if (name.Length != 0) _names[id] = Claim(_tagNames, name, id);
                    break;
                case BtfKind.Typedef:
                    _names[id] = Claim(_ordinaryNames, _spec.GetName(id), id);
                    break;
            }
        }
        // A forward declaration names the struct or union of the same name when there is one.
        for (int id = 1; id < _spec.Count; id++)
        {
            if (_spec.GetKind(id) != BtfKind.Forward) continue;
            var f = (BtfForward)Type(id);
            if (_tagNames.TryGetValue(f.Name, out int owner) && _spec.GetKind(owner) == f.TargetKind) _names[id] = f.Name;
            else _names[id] = Claim(_tagNames, f.Name, id);
        }
        for (int id = 1; id < _spec.Count; id++)
        {
            if (_spec.GetKind(id) is not (BtfKind.Enum or BtfKind.Enum64)) continue;
            var e = (BtfEnum)Type(id);
            for (int k = 0; k < e.Values.Length; k++)
                _enumeratorNames[(id, k)] = Claim(_ordinaryNames, e.Values[k].Name, id);
        }
    }

    private string Claim(Dictionary<string, int> names, string name, int id)
    {
        if (names.TryAdd(name, id)) return name;
        // Both namespaces share the counter: a suffix skipped in one is merely unused in the other.
        int n = _nextSuffix.GetValueOrDefault(name, 2);
        string candidate;
        while (!names.TryAdd(candidate = $"{name}___{n}", id)) n++;
        _nextSuffix[name] = n + 1;
        return candidate;
    }

    /// <summary>Makes the type usable where an incomplete type will do (behind a pointer, in a prototype).</summary>
    private void Declare(int id)
    {
        Enter(id);
        try { DeclareOnce(id); }
        finally { _depth--; }
    }

    private void DeclareOnce(int id)
    {
        // By kind: an object is created only for a type whose parameters are walked.
        switch (_spec.GetKind(id))
        {
            case BtfKind.Typedef:
                if (_typedefEmitted[id] || IsBuiltin(id)) return;
                _typedefEmitted[id] = true; // before recursing: a typedef reached again through its target is fine as a forward reference
                int target = _spec.GetSizeOrType(id);
                Declare(target);
                _out.Write($"typedef {Declarator(target, _names[id]!, 0)};\n\n");
                break;
            case BtfKind.Pointer or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag:
                Declare(_spec.GetSizeOrType(id));
                break;
            case BtfKind.Array:
                Define(ElementOf(id));
                break;
            case BtfKind.FuncProto:
                // Marked first: a prototype can reach itself through a parameter's pointer.
                if (_declared[id]) return;
                _declared[id] = true;
                var fp = (BtfFuncProto)Type(id);
                Declare(fp.ReturnTypeId);
                foreach (var p in fp.Parameters) Declare(p.TypeId);
                break;
            case BtfKind.Struct or BtfKind.Union when _names[id] is null:
                Define(id); // anonymous: defined where it is used
                break;
        }
    }

    private int ElementOf(int arrayId) => (int)_spec.ReadWord(arrayId, BtfParser.TypeHeaderSize);

    /// <summary>Makes the type complete: a struct embedded by value needs its definition before the embedding one.</summary>
    private void Define(int id)
    {
        Enter(id);
        try { DefineOnce(id); }
        finally { _depth--; }
    }

    private void DefineOnce(int id)
    {
        switch (_spec.GetKind(id))
        {
            case BtfKind.Struct or BtfKind.Union:
                // Walked once, also an anonymous type shared by several members (after deduplication).
                if (_defined[id] != State.None) return;
                _defined[id] = State.Visiting;
                var c = (BtfComposite)Type(id);
                foreach (var m in c.Members) Define(m.TypeId);
                if (_names[id] is not null) WriteComposite(c);
                _defined[id] = State.Done;
                break;
            case BtfKind.Typedef:
                Define(_spec.GetSizeOrType(id));
                Declare(id);
                break;
            case BtfKind.Array:
                Define(ElementOf(id));
                break;
            case BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag:
                Define(_spec.GetSizeOrType(id));
                break;
            default:
                Declare(id);
                break;
        }
    }

    private void WriteEnum(BtfEnum e)
    {
        var sb = new StringBuilder();
        sb.Append(e.IsAnonymous ? "enum {\n" : $"enum {_names[e.Id]} {{\n");
        for (int k = 0; k < e.Values.Length; k++)
        {
            var v = e.Values[k];
            string value = e.IsSigned ? v.Value.ToString() : v.UnsignedValue.ToString();
            // Values past int need a suffix so clang gives the enumerator a 64-bit type.
            if (e.IsSigned ? v.Value is > int.MaxValue or < int.MinValue : v.UnsignedValue > int.MaxValue)
                value += e.IsSigned ? "LL" : "ULL";
            sb.Append($"\t{_enumeratorNames[(e.Id, k)]} = {value},\n");
        }
        sb.Append('}');
        // A 1- or 2-byte enum takes its BTF size only when packed.
        if (e.Size < 4) sb.Append(" __attribute__((packed))");
        sb.Append(";\n\n");
        _out.Write(sb.ToString());
    }

    private void WriteComposite(BtfComposite c)
    {
        var sb = new StringBuilder();
        AppendCompositeBody(sb, c, 0);
        sb.Append(";\n\n");
        _out.Write(Produced(c.Id, sb.ToString()));
    }

    private void AppendCompositeBody(StringBuilder sb, BtfComposite c, int indent)
    {
        bool packed = IsPacked(c);
        sb.Append(c is BtfUnion ? "union" : "struct");
        if (!c.IsAnonymous) sb.Append(' ').Append(_names[c.Id]);
        sb.Append(" {\n");
        long pos = 0;
        foreach (var m in c.Members)
        {
            if (c is BtfStruct)
            {
                long natural = NaturalOffset(pos, m, packed);
                if (natural != m.BitOffset && m.BitOffset > pos) AppendPadding(sb, pos, m.BitOffset, indent + 1);
            }
            Indent(sb, indent + 1);
            sb.Append(Declarator(m.TypeId, m.Name, indent + 1));
            if (m.IsBitfield) sb.Append(": ").Append(m.BitfieldSize);
            sb.Append(";\n");
            long end = m.BitOffset + (m.IsBitfield ? m.BitfieldSize : (_spec.TryGetSize(m.TypeId, out int s) ? s * 8L : 0));
            pos = Math.Max(pos, end);
        }
        if (c is BtfStruct)
        {
            int align = packed ? 1 : StructAlignment(c);
            long naturalSize = AlignUp(pos, align * 8L);
            if (naturalSize < c.Size * 8L) AppendPadding(sb, pos, c.Size * 8L, indent + 1);
        }
        Indent(sb, indent);
        sb.Append('}');
        if (packed) sb.Append(" __attribute__((packed))");
    }

    /// <summary>Where C would place the member after <paramref name="pos"/> bits.</summary>
    private long NaturalOffset(long pos, BtfMember m, bool packed)
    {
        int size = _spec.TryGetSize(m.TypeId, out int s) ? s : 1;
        int align = packed ? 1 : (_spec.TryGetAlignment(m.TypeId, out int a) ? a : 1);
        if (!m.IsBitfield) return AlignUp(pos, align * 8L);
        // A bitfield goes at pos unless it would cross a boundary of its storage unit.
        long unit = size * 8L;
        if (!packed && pos / unit != (pos + m.BitfieldSize - 1) / unit) return AlignUp(pos, unit);
        return pos;
    }

    private bool IsPacked(BtfComposite c)
    {
        if (c is not BtfStruct) return false;
        int maxAlign = 1;
        foreach (var m in c.Members)
        {
            if (!_spec.TryGetAlignment(m.TypeId, out int a)) continue;
            maxAlign = Math.Max(maxAlign, a);
            if (!m.IsBitfield && m.BitOffset % (a * 8) != 0) return true;
        }
        return c.Size % maxAlign != 0;
    }

    private int StructAlignment(BtfComposite c)
    {
        int maxAlign = 1;
        foreach (var m in c.Members)
            if (_spec.TryGetAlignment(m.TypeId, out int a)) maxAlign = Math.Max(maxAlign, a);
        return maxAlign;
    }

    private static long AlignUp(long value, long alignment) => alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment;

    /// <summary>
    /// Fills [from, to) bits with unnamed bitfields, which occupy space without changing the struct's alignment; a
    /// long run of whole bytes is one char array (alignment 1 too), so the text stays short whatever the gap.
    /// </summary>
    private static void AppendPadding(StringBuilder sb, long from, long to, int indent)
    {
        while (from < to)
        {
            long left = to - from;
            string type;
            int bits;
            if (from % 8 == 0 && left >= 16 * 8)
            {
                Indent(sb, indent);
                sb.Append("char __pad_").Append(from / 8).Append('[').Append(left / 8).Append("];\n");
                from += left / 8 * 8;
                continue;
            }
            if (from % 8 != 0) { bits = (int)Math.Min(8 - from % 8, left); type = "unsigned char"; }
            else if (from % 64 == 0 && left >= 64) { bits = 64; type = "long"; }
            else if (from % 32 == 0 && left >= 32) { bits = 32; type = "int"; }
            else if (from % 16 == 0 && left >= 16) { bits = 16; type = "short"; }
            else { bits = (int)Math.Min(8, left); type = "char"; }
            Indent(sb, indent);
            sb.Append(type).Append(": ").Append(bits).Append(";\n");
            from += bits;
        }
    }

    private static void Indent(StringBuilder sb, int indent) => sb.Append('\t', indent);

    /// <summary>A C declaration of <paramref name="name"/> (empty: an abstract declarator) with type <paramref name="id"/>.</summary>
    private string Declarator(int id, string name, int indent)
    {
        int start = id;
        Enter(id);
        try { return Produced(start, DeclaratorOnce(id, name, indent)); }
        finally { _depth--; }
    }

    private string DeclaratorOnce(int id, string name, int indent)
    {
        string inner = name;
        int steps = 0;
        while (true)
        {
            // Each step wraps the text so far: a chain of MaxWalkDepth pointers is as far as it goes.
            if (++steps > MaxWalkDepth)
                throw Error(id, $"its C declarator is more than {MaxWalkDepth} pointers, arrays and qualifiers deep");
            var kind = _spec.GetKind(id);
            switch (kind)
            {
                case BtfKind.Pointer:
                    int target = _spec.GetSizeOrType(id);
                    inner = _spec.GetKind(_spec.SkipQualifiers(target)) is BtfKind.Array or BtfKind.FuncProto ? $"(*{inner})" : $"*{inner}";
                    id = target;
                    continue;
                case BtfKind.Array:
                    var a = (BtfArray)Type(id);
                    inner = $"{inner}[{a.Length}]";
                    id = a.ElementTypeId;
                    continue;
                case BtfKind.TypeTag:
                    id = _spec.GetSizeOrType(id);
                    continue;
                case BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict:
                    string qualifier = kind switch { BtfKind.Const => "const", BtfKind.Volatile => "volatile", _ => "restrict" };
                    int qualified = _spec.GetSizeOrType(id);
                    if (_spec.GetKind(_spec.SkipQualifiers(qualified)) == BtfKind.Pointer)
                    {
                        inner = $"{qualifier} {inner}";
                        id = qualified;
                        continue;
                    }
                    string rest = Declarator(qualified, inner, indent);
                    // const over an array of const elements: C has one place for it.
                    return rest.StartsWith(qualifier + " ", StringComparison.Ordinal) ? rest : $"{qualifier} {rest}";
                case BtfKind.FuncProto:
                    var fp = (BtfFuncProto)Type(id);
                    Produced(id, inner);
                    var parameters = fp.Parameters.Select(p => Declarator(p.TypeId, p.Name, indent)).ToList();
                    if (fp.IsVariadic) parameters.Add("...");
                    inner = $"{inner}({(parameters.Count == 0 ? "void" : string.Join(", ", parameters))})";
                    id = fp.ReturnTypeId;
                    continue;
                default:
                    string baseName = BaseName(id, kind, indent);
                    return inner.Length == 0 ? baseName : $"{baseName} {inner}";
            }
        }
    }

    /// <summary>The type a declarator ends in; a named type by its name alone, without creating its object.</summary>
    private string BaseName(int id, BtfKind kind, int indent)
    {
        switch (kind)
        {
            case BtfKind.Void: return "void";
            case BtfKind.Int or BtfKind.Float: return _names[id] ??= _spec.GetName(id);
            case BtfKind.Typedef: return _names[id]!;
            case BtfKind.Enum or BtfKind.Enum64:
                if (_names[id] is { } enumName) return $"enum {enumName}";
                var e = (BtfEnum)Type(id);
                return IntegerOfSize(e.Size, e.IsSigned);
            case BtfKind.Forward: return $"{TagKeyword(Type(id))} {_names[id]}";
            case BtfKind.Struct or BtfKind.Union:
                if (_names[id] is { } tag) return $"{(kind == BtfKind.Union ? "union" : "struct")} {tag}";
                Enter(id);
                try
                {
                    var sb = new StringBuilder();
                    AppendCompositeBody(sb, (BtfComposite)Type(id), indent);
                    return sb.ToString();
                }
                finally { _depth--; }
            default: return "void";
        }
    }

    private static string IntegerOfSize(int size, bool signed) => (size, signed) switch
    {
        (1, true) => "signed char",
        (1, false) => "unsigned char",
        (2, true) => "short",
        (2, false) => "unsigned short",
        (8, true) => "long long",
        (8, false) => "unsigned long long",
        (_, true) => "int",
        _ => "unsigned int",
    };
}
