namespace BpfSharp.Btf;

/// <summary>
/// One step of a field access path that means something across kernels: the root element (pointer
/// arithmetic on the relocated type), a named member, or an array element. <see cref="TypeId"/> is the
/// (modifier-free) struct or union holding the member, or the element type for the other two.
/// </summary>
internal readonly record struct CoreAccessor(int TypeId, int Index, string? Name)
{
    public bool IsMember => Name is not null;
}

/// <summary>
/// A field access path resolved in one BTF, as libbpf's <c>bpf_core_spec</c>: clang's access string
/// (<c>0:1:0:2</c>: member and element indices) keeps every nesting level, including the anonymous structs
/// and unions C lets a program step through without naming them; the accessors keep only what carries a
/// name or an index, because only those can be looked for in another kernel's layout. The bit offset is
/// the whole path's.
/// </summary>
internal sealed class CoreAccessPath
{
    private CoreAccessPath(BtfSpec btf, List<CoreAccessor> accessors, long bitOffset)
    {
        Btf = btf;
        Accessors = accessors;
        BitOffset = bitOffset;
    }

    public BtfSpec Btf { get; }
    public IReadOnlyList<CoreAccessor> Accessors { get; }
    public long BitOffset { get; }

    /// <summary>Walks clang's access indices over the local type; a path that does not fit it is a malformed object.</summary>
    public static CoreAccessPath Parse(BtfSpec btf, int rootId, int[] indices, string what)
    {
        int id = btf.SkipModifiers(rootId);
        var accessors = new List<CoreAccessor> { new(id, indices[0], null) };
        long bits = (long)indices[0] * SizeOf(btf, id, what) * 8;
        for (int k = 1; k < indices.Length; k++)
        {
            id = btf.SkipModifiers(id);
            int index = indices[k];
            switch (btf[id])
            {
                case BtfComposite c:
                    if (index >= c.Members.Length) throw Malformed(what, $"member {index} of {c} does not exist");
                    var m = c.Members[index];
                    bits += m.BitOffset;
                    // An anonymous struct or union moves the offset but is no step another kernel could be asked about.
                    if (!m.IsAnonymous) accessors.Add(new(id, index, m.Name));
                    id = m.TypeId;
                    break;
                case BtfArray a:
                    int element = btf.SkipModifiers(a.ElementTypeId);
                    if (!IsFlexible(btf, accessors[^1], a) && index >= a.Length)
                        throw Malformed(what, $"element {index} of an array of {a.Length}");
                    accessors.Add(new(element, index, null));
                    bits += (long)index * SizeOf(btf, element, what) * 8;
                    id = element;
                    break;
                default:
                    throw Malformed(what, $"step {k} lands in {btf[id]}, neither a struct, a union nor an array");
            }
        }
        return new CoreAccessPath(btf, accessors, bits);
    }

    /// <summary>
    /// The same path in a target type, or null when it has none: each named member is looked for by its exact name,
    /// also inside the target's anonymous structs and unions (whose offsets add up), and must be of a compatible
    /// type; each array step needs an array there, with enough elements unless it is a flexible array.
    /// </summary>
    public static CoreAccessPath? Match(CoreAccessPath local, BtfSpec target, int targetId)
    {
        var accessors = new List<CoreAccessor>();
        long bits = 0;
        int id = targetId;
        for (int i = 0; i < local.Accessors.Count; i++)
        {
            var acc = local.Accessors[i];
            id = target.SkipModifiers(id);
            if (acc.IsMember)
            {
                var localMember = ((BtfComposite)local.Btf[acc.TypeId]).Members[acc.Index];
                if (FindMember(local.Btf, localMember, target, id, ref bits) is not { } found) return null;
                accessors.Add(found.Accessor);
                id = found.MemberType;
                continue;
            }
            if (i > 0)
            {
                if (target[id] is not BtfArray a) return null;
                if (!IsFlexible(target, accessors[^1], a) && acc.Index >= a.Length) return null;
                id = target.SkipModifiers(a.ElementTypeId);
            }
            if (!target.TryGetSize(id, out int size)) return null;
            accessors.Add(new(id, acc.Index, null));
            bits += (long)acc.Index * size * 8;
        }
        return new CoreAccessPath(target, accessors, bits);
    }

    /// <summary>
    /// Searches a target struct or union for a member named as the local one, descending into anonymous members
    /// (C's scoping); the first member with that name decides, matched or not.
    /// </summary>
    private static (CoreAccessor Accessor, int MemberType)? FindMember(BtfSpec local, BtfMember localMember, BtfSpec target, int compositeId, ref long bits)
    {
        compositeId = target.SkipModifiers(compositeId);
        if (target[compositeId] is not BtfComposite c) return null;
        for (int i = 0; i < c.Members.Length; i++)
        {
            var m = c.Members[i];
            if (m.IsAnonymous)
            {
                long inner = bits + m.BitOffset;
                if (FindMember(local, localMember, target, m.TypeId, ref inner) is { } found)
                {
                    bits = inner;
                    return found;
                }
            }
            else if (m.Name == localMember.Name)
            {
                if (!CoreCompatibility.FieldsCompatible(local, localMember.TypeId, target, m.TypeId)) return null;
                bits += m.BitOffset;
                return (new CoreAccessor(compositeId, i, m.Name), m.TypeId);
            }
        }
        return null;
    }

    /// <summary>An array of no declared length as a struct's last member (C's flexible array member) takes any index.</summary>
    private static bool IsFlexible(BtfSpec btf, CoreAccessor previous, BtfArray array) =>
        array.Length == 0 && previous.IsMember && previous.Index == ((BtfComposite)btf[previous.TypeId]).Members.Length - 1;

    private static int SizeOf(BtfSpec btf, int id, string what) =>
        btf.TryGetSize(id, out int size) ? size : throw Malformed(what, $"{btf[id]} has no size");

    private static BpfFormatException Malformed(string what, string why) => new("CO-RE", $"{what}: {why}");

    /// <summary>
    /// What a field relocation asks of this path. It is about the last accessor: a named member (its offset, size,
    /// signedness, or bitfield shifts) or an array element or root (only its offset and size). A bitfield is read
    /// by the smallest aligned load (1, 2, 4 or 8 bytes, starting from its declared type's size) that covers it;
    /// the shifts extract it from a u64.
    /// </summary>
    public CoreFieldValue Value(CoreRelocationKind kind, string what)
    {
        var last = Accessors[^1];
        if (kind == CoreRelocationKind.FieldExists) return new(1, true, 0);
        if (!last.IsMember)
        {
            return kind switch
            {
                CoreRelocationKind.FieldByteOffset => new((ulong)(BitOffset / 8), true, ElementSize(last.TypeId)),
                CoreRelocationKind.FieldByteSize => new((ulong)SizeOf(Btf, last.TypeId, what), true, 0),
                _ => throw Malformed(what, $"a {kind} relocation cannot apply to an array element"),
            };
        }
        var member = ((BtfComposite)Btf[last.TypeId]).Members[last.Index];
        int fieldType = Btf.SkipModifiers(member.TypeId);
        int byteSize = SizeOf(Btf, fieldType, what);
        long byteOffset = BitOffset / 8;
        int bits = byteSize * 8;
        bool bitfield = member.BitfieldSize != 0;
        if (bitfield)
        {
            bits = member.BitfieldSize;
            byteOffset = BitOffset / 8 / byteSize * byteSize;
            while (BitOffset + bits - byteOffset * 8 > byteSize * 8)
            {
                if (byteSize >= 8) throw new BpfException("CO-RE", $"{what}: a bitfield of {bits} bits at bit {BitOffset} fits no 8-byte load");
                byteSize *= 2;
                byteOffset = BitOffset / 8 / byteSize * byteSize;
            }
        }
        // A bitfield's offset, size and shifts are the loader's choice, which the compiler need not share: only its
        // signedness is checked against the instruction.
        return kind switch
        {
            CoreRelocationKind.FieldByteOffset => new((ulong)byteOffset, !bitfield, bitfield ? 0 : ElementSize(fieldType)),
            CoreRelocationKind.FieldByteSize => new((ulong)byteSize, !bitfield, 0),
            CoreRelocationKind.FieldSigned => new(Btf[fieldType] switch
            {
                BtfInt i => i.Encoding.HasFlag(BtfIntEncoding.Signed) ? 1UL : 0,
                BtfEnum e => e.IsSigned ? 1UL : 0,
                _ => 0,
            }, true, 0),
            CoreRelocationKind.FieldLShiftU64 => new((ulong)(64 - (BitOffset + bits - byteOffset * 8)), !bitfield, 0),
            CoreRelocationKind.FieldRShiftU64 => new((ulong)(64 - bits), !bitfield, 0),
            _ => throw Malformed(what, $"relocation kind {(int)kind} is not a field kind"),
        };
    }

    /// <summary>The size a load of this field moves: an array's element size (innermost), since a program reads elements.</summary>
    private int ElementSize(int id)
    {
        id = Btf.SkipModifiers(id);
        while (Btf[id] is BtfArray a) id = Btf.SkipModifiers(a.ElementTypeId);
        return Btf.TryGetSize(id, out int size) ? size : 0;
    }
}

/// <param name="Value">The relocated value.</param>
/// <param name="Validate">Whether the instruction must hold the local value (off where the loader's choice may differ from clang's).</param>
/// <param name="LoadSize">For a byte offset used by a load or store: the size of what is loaded there (0 when not applicable).</param>
internal readonly record struct CoreFieldValue(ulong Value, bool Validate, int LoadSize);
