namespace BpfSharp.Btf;

/// <summary>
/// The outcome of one CO-RE relocation: the value the local program was compiled with, the value for the
/// target kernel, or <see cref="Poison"/> when the target has no match (the instruction then must fail
/// only if it is reached).
/// </summary>
public readonly record struct CoreResult(ulong LocalValue, ulong TargetValue, bool Poison, string Description)
{
    /// <summary>Whether the instruction's existing immediate or offset must equal <see cref="LocalValue"/> (off for bitfield loads whose size changes).</summary>
    public bool Validate { get; init; } = true;

    /// <summary>For a field offset relocation on a load or store: the target field's size, to fix the access size.</summary>
    public int TargetFieldSize { get; init; }
    public int LocalFieldSize { get; init; }
}

/// <summary>
/// "Compile once, run everywhere": computes what a relocation recorded against the object's own (local) BTF
/// becomes against the running kernel's (target) BTF, following libbpf's algorithm: candidates are target
/// types of the same essential name (the <c>___flavor</c> suffix stripped) and compatible kind; an access path
/// is matched member by member by name; every matching candidate must agree.
/// </summary>
public sealed class CoreRelocator
{
    private readonly BtfSpec _local;
    private readonly IReadOnlyList<BtfSpec> _targets;
    private readonly Dictionary<int, List<(BtfSpec Spec, int Id)>> _candidates = [];

    /// <param name="targets">The kernel's BTF first, then module BTFs (split on top of it).</param>
    public CoreRelocator(BtfSpec local, IReadOnlyList<BtfSpec> targets)
    {
        _local = local;
        _targets = targets;
    }

    /// <summary>Strips a <c>___flavor</c> suffix: <c>task_struct___old</c> is a local view of <c>task_struct</c>.</summary>
    public static string EssentialName(string name)
    {
        int i = name.IndexOf("___", StringComparison.Ordinal);
        return i > 0 ? name[..i] : name;
    }

    public CoreResult Relocate(BtfCoreRelocation relo)
    {
        var kind = (CoreRelocationKind)relo.Kind;
        string access = _local.GetString(relo.AccessStringOffset);
        string typeName = _local.GetName(relo.TypeId);
        string what = $"{kind} of {DescribeLocal(relo.TypeId)} access {access}";

        if (kind == CoreRelocationKind.TypeIdLocal)
            return new CoreResult((ulong)relo.TypeId, (ulong)relo.TypeId, false, what);

        var indices = ParseAccess(access, what);
        var local = LocalSpec(relo.TypeId, kind, indices, what);

        ulong? agreed = null;
        CoreResult? chosen = null;
        foreach (var (spec, id) in Candidates(relo.TypeId))
        {
            var target = Match(local, spec, id, kind);
            if (target is null) continue;
            if (agreed is not null && target.Value.TargetValue != agreed)
                throw new BpfException("CO-RE", $"{what}: candidates disagree ({agreed} vs {target.Value.TargetValue})");
            agreed = target.Value.TargetValue;
            chosen ??= target;
        }
        if (chosen is { } found) return found with { LocalValue = local.Value };
        // No candidate: existence checks answer 0; everything else is poisoned.
        return kind is CoreRelocationKind.FieldExists or CoreRelocationKind.TypeExists or CoreRelocationKind.EnumValueExists
            or CoreRelocationKind.TypeMatches
            ? new CoreResult(local.Value, 0, false, what)
            : new CoreResult(local.Value, 0, true, what + $" (no match for {typeName} in the kernel's BTF)");
    }

    private string DescribeLocal(int id)
    {
        var t = _local[id];
        return t.Name.Length > 0 ? $"{t.Kind.ToString().ToLowerInvariant()} {t.Name}" : $"type {id}";
    }

    private static int[] ParseAccess(string access, string what)
    {
        var parts = access.Split(':');
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out result[i]) || result[i] < 0)
                throw new BpfFormatException("CO-RE", $"{what}: bad access string");
        return result;
    }

    private sealed record LocalAccess(int RootId, int[] Indices, List<string> Names, ulong Value, int FieldTypeId, long BitOffset, int BitfieldSize, string? EnumName);

    /// <summary>Walks the access path in the local BTF, collecting member names and the local result.</summary>
    private LocalAccess LocalSpec(int typeId, CoreRelocationKind kind, int[] indices, string what)
    {
        if (IsTypeKind(kind))
            return new LocalAccess(typeId, indices, [], TypeValue(_local, typeId, kind, typeId), typeId, 0, 0, null);
        if (kind is CoreRelocationKind.EnumValue or CoreRelocationKind.EnumValueExists)
        {
            if (_local[_local.SkipModifiers(typeId)] is not BtfEnum e || indices[0] >= e.Values.Length)
                throw new BpfFormatException("CO-RE", $"{what}: not an enumerator");
            var v = e.Values[indices[0]];
            return new LocalAccess(typeId, indices, [], kind == CoreRelocationKind.EnumValue ? (ulong)v.Value : 1, typeId, 0, 0, v.Name);
        }
        var names = new List<string>();
        var (fieldType, bitOffset, bitfield) = Walk(_local, typeId, indices, i => names.Add(i), what)
            ?? throw new BpfFormatException("CO-RE", $"{what}: the access path does not fit the local type");
        return new LocalAccess(typeId, indices, names, FieldValue(_local, kind, fieldType, bitOffset, bitfield, out _), fieldType, bitOffset, bitfield, null);
    }

    private static bool IsTypeKind(CoreRelocationKind k) => k is CoreRelocationKind.TypeIdTarget or CoreRelocationKind.TypeExists
        or CoreRelocationKind.TypeSize or CoreRelocationKind.TypeMatches;

    /// <summary>
    /// Walks indices over a spec: the first scales the root (pointer arithmetic), the rest select members
    /// (struct/union) or elements (arrays). Reports each member name to <paramref name="onMember"/>.
    /// </summary>
    private static (int FieldType, long BitOffset, int Bitfield)? Walk(BtfSpec spec, int rootId, int[] indices, Action<string>? onMember, string what)
    {
        int current = spec.SkipModifiers(rootId);
        long bits = (long)indices[0] * spec.SizeOf(current) * 8;
        int bitfield = 0;
        int fieldType = current;
        for (int k = 1; k < indices.Length; k++)
        {
            var t = spec[current];
            if (t is BtfComposite c)
            {
                if (indices[k] >= c.Members.Length) return null;
                var m = c.Members[indices[k]];
                onMember?.Invoke(m.Name);
                bits += m.BitOffset;
                bitfield = m.BitfieldSize;
                fieldType = m.TypeId;
                current = spec.SkipModifiers(m.TypeId);
            }
            else if (t is BtfArray a)
            {
                onMember?.Invoke("[" + indices[k] + "]");
                bits += (long)indices[k] * spec.SizeOf(a.ElementTypeId) * 8;
                bitfield = 0;
                fieldType = a.ElementTypeId;
                current = spec.SkipModifiers(a.ElementTypeId);
            }
            else return null;
        }
        return (fieldType, bits, bitfield);
    }

    private IEnumerable<(BtfSpec Spec, int Id)> Candidates(int localId)
    {
        if (_candidates.TryGetValue(localId, out var cached)) return cached;
        var local = _local[_local.SkipModifiers(localId)];
        // A relocation on a typedef'd root keeps the typedef name; look candidates up by the named type's name.
        string name = EssentialName(_local[localId].Name.Length > 0 ? _local[localId].Name : local.Name);
        var list = new List<(BtfSpec, int)>();
        if (name.Length > 0)
            foreach (var target in _targets)
                foreach (var t in target.FindAll(name))
                    if (t.Spec == target && KindsCompatible(_local[localId], t)) list.Add((target, t.Id));
        _candidates[localId] = list;
        return list;
    }

    private static bool KindsCompatible(BtfType local, BtfType target) => (local, target) switch
    {
        (BtfComposite, BtfComposite) => local.Kind == target.Kind,
        (BtfEnum, BtfEnum) => true,
        (BtfTypedef, BtfTypedef) => true,
        (BtfInt, BtfInt) => true,
        (BtfFuncProto, BtfFuncProto) => true,
        _ => local.Kind == target.Kind,
    };

    private CoreResult? Match(LocalAccess local, BtfSpec spec, int targetId, CoreRelocationKind kind)
    {
        if (IsTypeKind(kind))
        {
            if (kind == CoreRelocationKind.TypeMatches && !TypesCompatible(_local, local.RootId, spec, targetId, 0)) return null;
            return new CoreResult(local.Value, TypeValue(spec, targetId, kind, targetId), false, "");
        }
        if (kind is CoreRelocationKind.EnumValue or CoreRelocationKind.EnumValueExists)
        {
            if (spec[spec.SkipModifiers(targetId)] is not BtfEnum e) return null;
            foreach (var v in e.Values)
                if (EssentialName(v.Name) == EssentialName(local.EnumName!))
                    return new CoreResult(local.Value, kind == CoreRelocationKind.EnumValue ? (ulong)v.Value : 1, false, "");
            return null;
        }
        // Field relocations: the same path by member names.
        int current = spec.SkipModifiers(targetId);
        long bits = (long)local.Indices[0] * spec.SizeOf(current) * 8;
        int fieldType = current, bitfield = 0;
        int nameIndex = 0;
        for (int k = 1; k < local.Indices.Length; k++)
        {
            var t = spec[current];
            string name = local.Names[nameIndex++];
            if (t is BtfArray a && name.StartsWith('['))
            {
                if (a.Length > 0 && local.Indices[k] >= a.Length && k != local.Indices.Length - 1) return null;
                bits += (long)local.Indices[k] * spec.SizeOf(a.ElementTypeId) * 8;
                fieldType = a.ElementTypeId;
                bitfield = 0;
                current = spec.SkipModifiers(a.ElementTypeId);
                continue;
            }
            if (t is not BtfComposite c) return null;
            if (!FindMemberByName(spec, c, name, out var memberType, out long memberBits, out int memberBitfield)) return null;
            bits += memberBits;
            fieldType = memberType;
            bitfield = memberBitfield;
            current = spec.SkipModifiers(memberType);
        }
        if (!FieldsCompatible(_local, local.FieldTypeId, spec, fieldType)) return null;
        ulong value = FieldValue(spec, kind, fieldType, bits, bitfield, out bool validate);
        int targetSize = bitfield == 0 ? spec.SizeOf(spec.SkipModifiers(fieldType)) : 0;
        int localSize = local.BitfieldSize == 0 ? _local.SizeOf(_local.SkipModifiers(local.FieldTypeId)) : 0;
        return new CoreResult(local.Value, value, false, "")
        {
            Validate = validate && local.BitfieldSize == 0,
            TargetFieldSize = targetSize,
            LocalFieldSize = localSize,
        };
    }

    /// <summary>A member by name, also inside anonymous members (C's rule), with its bit offset.</summary>
    private static bool FindMemberByName(BtfSpec spec, BtfComposite c, string name, out int type, out long bits, out int bitfield)
    {
        foreach (var m in c.Members)
        {
            if (m.Name.Length > 0 && EssentialName(m.Name) == EssentialName(name))
            {
                (type, bits, bitfield) = (m.TypeId, m.BitOffset, m.BitfieldSize);
                return true;
            }
            if (m.Name.Length == 0 && spec[spec.SkipModifiers(m.TypeId)] is BtfComposite inner
                && FindMemberByName(spec, inner, name, out type, out long innerBits, out bitfield))
            {
                bits = m.BitOffset + innerBits;
                return true;
            }
        }
        (type, bits, bitfield) = (0, 0, 0);
        return false;
    }

    /// <summary>libbpf's field compatibility: composites by kind and name, scalars of the same class, arrays by element.</summary>
    private static bool FieldsCompatible(BtfSpec ls, int lid, BtfSpec ts, int tid)
    {
        var l = ls[ls.SkipModifiers(lid)];
        var t = ts[ts.SkipModifiers(tid)];
        return (l, t) switch
        {
            (BtfComposite lc, BtfComposite tc) => lc.Kind == tc.Kind && (lc.IsAnonymous || tc.IsAnonymous || EssentialName(lc.Name) == EssentialName(tc.Name)),
            (BtfInt or BtfEnum, BtfInt or BtfEnum) => true,
            (BtfPointer, BtfPointer) => true,
            (BtfFloat, BtfFloat) => true,
            (BtfArray la, BtfArray ta) => FieldsCompatible(ls, la.ElementTypeId, ts, ta.ElementTypeId),
            (BtfForward, BtfComposite) or (BtfComposite, BtfForward) => true,
            _ => false,
        };
    }

    /// <summary>A deeper comparison for TypeMatches: layouts, member names and types recursively (bounded depth).</summary>
    private static bool TypesCompatible(BtfSpec ls, int lid, BtfSpec ts, int tid, int depth)
    {
        if (depth > 16) return false;
        var l = ls[ls.SkipModifiers(lid)];
        var t = ts[ts.SkipModifiers(tid)];
        switch (l, t)
        {
            case (BtfComposite lc, BtfComposite tc):
                if (lc.Kind != tc.Kind) return false;
                foreach (var m in lc.Members)
                {
                    if (!tc.Members.Any(x => x.Name == m.Name && TypesCompatible(ls, m.TypeId, ts, x.TypeId, depth + 1))) return false;
                }
                return true;
            case (BtfInt li, BtfInt ti): return li.Size == ti.Size && li.Encoding.HasFlag(BtfIntEncoding.Signed) == ti.Encoding.HasFlag(BtfIntEncoding.Signed);
            case (BtfEnum le, BtfEnum te): return le.Values.All(v => te.Values.Any(x => x.Name == v.Name));
            case (BtfPointer lp, BtfPointer tp): return TypesCompatible(ls, lp.TargetId, ts, tp.TargetId, depth + 1);
            case (BtfArray la, BtfArray ta): return la.Length == ta.Length && TypesCompatible(ls, la.ElementTypeId, ts, ta.ElementTypeId, depth + 1);
            case (BtfVoid, BtfVoid): return true;
            default: return l.Kind == t.Kind && EssentialName(l.Name) == EssentialName(t.Name);
        }
    }

    private static ulong TypeValue(BtfSpec spec, int id, CoreRelocationKind kind, int resolvedId) => kind switch
    {
        CoreRelocationKind.TypeIdTarget => (ulong)resolvedId,
        CoreRelocationKind.TypeExists or CoreRelocationKind.TypeMatches => 1,
        CoreRelocationKind.TypeSize => (ulong)spec.SizeOf(spec.SkipModifiers(id)),
        _ => 0,
    };

    /// <summary>
    /// A field's value for its relocation kind. A bitfield is read by the smallest aligned load (1, 2, 4 or 8
    /// bytes, starting from its declared type's size) that covers it; the shifts extract it from a u64.
    /// </summary>
    private static ulong FieldValue(BtfSpec spec, CoreRelocationKind kind, int fieldType, long bitOffset, int bitfield, out bool validate)
    {
        validate = true;
        int resolved = spec.SkipModifiers(fieldType);
        int byteSize = Math.Max(spec.SizeOf(resolved), 1);
        long byteOffset;
        if (bitfield == 0)
        {
            byteOffset = bitOffset / 8;
        }
        else
        {
            byteOffset = bitOffset / 8 / byteSize * byteSize;
            while (bitOffset + bitfield - byteOffset * 8 > byteSize * 8)
            {
                if (byteSize >= 8) throw new BpfException("CO-RE", $"a bitfield at bit {bitOffset} of {bitfield} bits fits no 8-byte load");
                byteSize *= 2;
                byteOffset = bitOffset / 8 / byteSize * byteSize;
            }
            validate = false;
        }
        int bits = bitfield == 0 ? byteSize * 8 : bitfield;
        return kind switch
        {
            CoreRelocationKind.FieldByteOffset => (ulong)byteOffset,
            CoreRelocationKind.FieldByteSize => (ulong)byteSize,
            CoreRelocationKind.FieldExists => 1,
            CoreRelocationKind.FieldSigned => spec[resolved] switch
            {
                BtfInt i => i.Encoding.HasFlag(BtfIntEncoding.Signed) ? 1UL : 0,
                BtfEnum e => e.IsSigned ? 1UL : 0,
                _ => 0,
            },
            CoreRelocationKind.FieldLShiftU64 => (ulong)(64 - (bitOffset + bits - byteOffset * 8)),
            CoreRelocationKind.FieldRShiftU64 => (ulong)(64 - bits),
            _ => throw new BpfFormatException("CO-RE", $"relocation kind {(int)kind} is not a field kind"),
        };
    }
}
