namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>
    /// Size in bytes of a value of the type: a struct's, union's, int's, enum's or float's own size, the pointer size,
    /// an array's element size times its length, the target's size through typedefs, qualifiers, tags and variables.
    /// </summary>
    /// <exception cref="ArgumentException">The type has no size (void, a function, a forward declaration...).</exception>
    public int SizeOf(int id)
    {
        if (!TryGetSize(id, out int size))
            throw new ArgumentException($"type {Describe(id)} has no size", nameof(id));
        return size;
    }

    /// <inheritdoc cref="SizeOf(int)"/>
    public int SizeOf(BtfType type) => SizeOf(IdOf(type));

    /// <summary>The size of a type, or false when it has none (computed once by the parser).</summary>
    public bool TryGetSize(int id, out int size)
    {
        CheckId(id);
        size = SizeOrNone(id);
        return size >= 0;
    }

    /// <summary>
    /// Alignment in bytes of a value of the type, as the C ABI lays it out: an int's or float's natural alignment, an
    /// enum's size, the pointer size, an array's element alignment, and for a struct or union the largest member
    /// alignment (1 when the layout shows it is packed). BTF does not record <c>__attribute__((aligned(n)))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The type has no alignment (void, a function, a data section...).</exception>
    public int AlignmentOf(int id)
    {
        if (!TryGetAlignment(id, out int alignment))
            throw new ArgumentException($"type {Describe(id)} has no alignment", nameof(id));
        return alignment;
    }

    /// <inheritdoc cref="AlignmentOf(int)"/>
    public int AlignmentOf(BtfType type) => AlignmentOf(IdOf(type));

    /// <summary>The alignment of a type, or false when it has none (computed once by the parser).</summary>
    public bool TryGetAlignment(int id, out int alignment)
    {
        CheckId(id);
        alignment = AlignmentOrNone(id);
        return alignment != 0;
    }

    /// <summary>Follows <c>const</c>, <c>volatile</c>, <c>restrict</c> and type tags to the type they qualify.</summary>
    public int SkipQualifiers(int id)
    {
        CheckId(id);
        while (GetKind(id) is BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag)
            id = GetSizeOrType(id);
        return id;
    }

    /// <inheritdoc cref="SkipQualifiers(int)"/>
    public BtfType SkipQualifiers(BtfType type) => this[SkipQualifiers(IdOf(type))];

    /// <summary>
    /// Follows typedefs as well as qualifiers and type tags to the underlying type: the struct behind
    /// <c>typedef const struct foo foo_t</c>, the int behind <c>__u32</c>.
    /// </summary>
    public int SkipModifiers(int id)
    {
        CheckId(id);
        // Finite: typedef and qualifier links are value edges, which the parser checked for loops.
        while (GetKind(id) is BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict
               or BtfKind.TypeTag)
            id = GetSizeOrType(id);
        return id;
    }

    /// <inheritdoc cref="SkipModifiers(int)"/>
    public BtfType SkipModifiers(BtfType type) => this[SkipModifiers(IdOf(type))];

    /// <summary>
    /// Finds a member of a struct or union by name or dotted path, with C's rules: the members of anonymous nested
    /// structs and unions are found as if they were direct members, and each dotted component steps into the
    /// (typedef'd, qualified) struct or union type of the member before it. For example
    /// <c>FindMember(bpfAttr, "link_create.perf_event.bpf_cookie")</c> or <c>FindMember(bpfAttr, "map_type")</c>.
    /// </summary>
    /// <returns>The member's type and its bit offset from the start of <paramref name="compositeId"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="compositeId"/> is not a struct or union, or the path is empty.</exception>
    /// <exception cref="KeyNotFoundException">No member has that path.</exception>
    public BtfMemberLocation FindMember(int compositeId, string path)
    {
        if (!TryFindMember(compositeId, path, out var location))
            throw new KeyNotFoundException($"{Describe(compositeId)} has no member '{path}'");
        return location;
    }

    /// <inheritdoc cref="FindMember(int, string)"/>
    public BtfMemberLocation FindMember(BtfType composite, string path) => FindMember(IdOf(composite), path);

    /// <inheritdoc cref="FindMember(int, string)"/>
    public bool TryFindMember(int compositeId, string path, out BtfMemberLocation location)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckId(compositeId);
        if (this[SkipModifiers(compositeId)] is not BtfComposite current)
            throw new ArgumentException($"type {Describe(compositeId)} is not a struct or union", nameof(compositeId));
        if (path.Length == 0)
            throw new ArgumentException("the member path is empty", nameof(path));

        location = default;
        long offset = 0;
        int start = 0;
        while (true)
        {
            int dot = path.IndexOf('.', start);
            var component = dot < 0 ? path.AsSpan(start) : path.AsSpan(start, dot - start);
            if (component.IsEmpty)
                throw new ArgumentException($"the member path '{path}' has an empty component", nameof(path));
            if (!TryFindMemberIn(current, component, offset, out location))
                return false;
            if (dot < 0)
                return true;
            if (this[SkipModifiers(location.TypeId)] is not BtfComposite next)
                return false;
            current = next;
            offset = location.BitOffset;
            start = dot + 1;
        }
    }

    /// <summary>
    /// Searches one struct or union for a member named <paramref name="name"/>, descending into anonymous members
    /// in declaration order. The walk keeps its own stack and visits each anonymous type once, so neither deep
    /// nesting nor shared anonymous types can exhaust the stack or take exponential time.
    /// </summary>
    private bool TryFindMemberIn(BtfComposite composite, ReadOnlySpan<char> name, long offset,
        out BtfMemberLocation location)
    {
        // Allocated only when an anonymous member is entered; most lookups never need them.
        Stack<(BtfComposite Type, int Next, long Offset)>? frames = null;
        HashSet<int>? visited = null;
        var (type, next, baseOffset) = (composite, 0, offset);
        while (true)
        {
            if (next < type.Members.Length)
            {
                var member = type.Members[next++];
                if (member.Name.AsSpan().SequenceEqual(name))
                {
                    location = new BtfMemberLocation(member.Name, member.TypeId, baseOffset + member.BitOffset,
                        member.BitfieldSize, type.Id, next - 1);
                    return true;
                }
                if (member.IsAnonymous && this[SkipModifiers(member.TypeId)] is BtfComposite nested
                    && (visited ??= new HashSet<int>()).Add(nested.Id))
                {
                    (frames ??= new()).Push((type, next, baseOffset));
                    (type, next, baseOffset) = (nested, 0, baseOffset + member.BitOffset);
                }
                continue;
            }
            if (frames is null || frames.Count == 0)
            {
                location = default;
                return false;
            }
            (type, next, baseOffset) = frames.Pop();
        }
    }

    private int IdOf(BtfType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Id >= Count || (type.Id != 0 && !ReferenceEquals(OwnerOf(type.Id), type.Spec)))
            throw new ArgumentException($"{type} belongs to another BTF spec", nameof(type));
        return type.Id;
    }

    /// <summary>A type for messages: <c>[13723] STRUCT 'bpf_map_info'</c>.</summary>
    private string Describe(int id) =>
        (uint)id < (uint)Count ? $"[{id}] {GetKind(id).ToKernelName()} '{(GetName(id) is { Length: > 0 } n ? n : "(anon)")}'" : id.ToString();
}
