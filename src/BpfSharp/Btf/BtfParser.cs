using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Btf;

/// <summary>
/// Checks a raw BTF blob and indexes its type records, in two passes:
/// <list type="number">
/// <item>walk the type section once: decode each record's length from its kind and vlen, check its names, sizes
/// and encodings, and collect its offset, its kind and the largest type id referenced;</item>
/// <item>resolve: a depth-first walk over the "contains by value" edges (typedef, qualifier, tag or var to its
/// type, array to its element, struct or union to its members) that rejects loops, as the kernel does, and computes
/// every type's size and alignment once.</item>
/// </list>
/// Afterwards every id in a record is in range, every name offset points into a NUL-terminated string section,
/// every member and variable lies inside its container, every walk along value edges terminates, and every chain
/// of pointers and modifiers ends (the rules of the kernel's BTF verifier); the type objects are decoded from the
/// records on demand. How deep types nest is not limited here (the kernel does not either): walks that recurse
/// bound their own depth.
/// </summary>
internal sealed class BtfParser
{
    // Record layouts: every type starts with struct btf_type (12 bytes) and some kinds append data.
    internal const int TypeHeaderSize = 12;
    internal const int IntDataSize = 4;       // u32: encoding << 24 | bit offset << 16 | bits
    internal const int ArrayDataSize = 12;    // struct btf_array
    internal const int MemberSize = 12;       // struct btf_member
    internal const int EnumValueSize = 8;     // struct btf_enum
    internal const int Enum64ValueSize = 12;  // struct btf_enum64
    internal const int ParamSize = 8;         // struct btf_param
    internal const int VarDataSize = 4;       // struct btf_var
    internal const int VarSecInfoSize = 12;   // struct btf_var_secinfo
    internal const int DeclTagDataSize = 4;   // struct btf_decl_tag

    internal const int MaxKind = (int)BtfKind.Enum64;
    internal const int MaxBitfieldSize = 128;

    // Entries of the size table: a size, NoSize, or (only while resolving) one of the two walk states.
    internal const int NoSize = -1;
    private const int Unvisited = -2;
    private const int InProgress = -3;

    private readonly BtfBlob _blob;
    private readonly BtfHeader _header;
    private readonly BtfSpec? _base;
    private readonly int _firstId;
    private readonly int _stringsEnd;
    private int[] _offsets = [];
    private byte[] _kinds = [];
    private int[] _sizes = [];
    private byte[] _alignments = [];
    private int _count;
    private int _pointerSize;

    private BtfParser(BtfBlob blob, BtfHeader header, BtfSpec? baseSpec)
    {
        _blob = blob;
        _header = header;
        _base = baseSpec;
        _firstId = baseSpec?.Count ?? 1;
        long stringsEnd = (long)(baseSpec?.StringsEnd ?? 0) + header.StringLength;
        if (stringsEnd > int.MaxValue)
            throw Error("string sections of base and split BTF exceed 2 GiB together");
        _stringsEnd = (int)stringsEnd;
        // Split BTF shares its base's pointer size (see IsLongName); knowing it now lets pass 1 resolve pointers.
        _pointerSize = baseSpec?.PointerSize ?? 0;
    }

    internal static BpfFormatException Error(string message) => new("BTF", message);

    /// <summary>
    /// A malformed-blob error with a composite format. The formatting lives here rather than in interpolated strings
    /// at each check: inline interpolation code in the big parsing loops triples their JIT time on first use.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static BpfFormatException Error(string format, object? a, object? b = null, object? c = null,
        object? d = null, object? e = null) =>
        new("BTF", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, a, b, c, d, e));

    /// <summary>Reads a little-endian u32 at an offset the parser has already checked to lie inside the blob.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(ReadOnlySpan<byte> data, int offset)
    {
        Debug.Assert(offset >= 0 && offset <= data.Length - 4, "read outside the checked blob");
        uint value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(data), (nint)(uint)offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>Parses <paramref name="data"/>, which the returned spec keeps (callers pass a private copy).</summary>
    public static BtfSpec Parse(byte[] data, BtfSpec? baseSpec) => Parse(new BtfBlob(data), baseSpec);

    /// <summary>Checks and indexes <paramref name="blob"/>, which the returned spec keeps and reads from.</summary>
    public static BtfSpec Parse(BtfBlob blob, BtfSpec? baseSpec)
    {
        var header = BtfHeader.Read(blob.Span, split: baseSpec is not null);
        var parser = new BtfParser(blob, header, baseSpec);
        parser.IndexTypes();
        if (parser._pointerSize == 0)
            parser._pointerSize = baseSpec?.PointerSize ?? 8;
        parser.Resolve();
        parser.CheckPointerChains();
        return new BtfSpec(blob, header, baseSpec, parser._offsets, parser._kinds, parser._count, parser._sizes,
            parser._alignments, parser._pointerSize);
    }

    /// <summary>Pass 1: one walk over the type section.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void IndexTypes()
    {
        ReadOnlySpan<byte> data = _blob.Span;
        int stringsEnd = _stringsEnd;
        int start = _header.TypeStart;
        int end = start + _header.TypeLength;

        // Records are at least 12 bytes; vmlinux averages about 25.
        int capacity = Math.Max(16, _header.TypeLength / 20);
        _offsets = GC.AllocateUninitializedArray<int>(capacity);
        _kinds = GC.AllocateUninitializedArray<byte>(capacity);
        _sizes = GC.AllocateUninitializedArray<int>(capacity);
        _alignments = GC.AllocateUninitializedArray<byte>(capacity);
        int count = 0;
        uint maxRef = 0;
        int maxRefFrom = 0;

        int p = start;
        while (p < end)
        {
            int id = _firstId + count;
            if (id == int.MaxValue)
                throw Error("too many types");
            if (end - p < TypeHeaderSize)
                throw Error("type {0}: record truncated ({1} bytes left of the type section)", id, end - p);

            uint nameOff = Read32(data, p);
            uint info = Read32(data, p + 4);
            uint sizeOrType = Read32(data, p + 8);
            int kindValue = (int)((info >> 24) & 0x1f);
            int vlen = (int)(info & 0xffff);
            bool kindFlag = (info & 0x8000_0000) != 0;

            if (kindValue == 0 || kindValue > MaxKind)
                throw Error("type {0}: unknown kind {1}", id, kindValue);
            var kind = (BtfKind)kindValue;
            if (nameOff >= (uint)stringsEnd)
                throw Error("type {0} ({1}): name offset {2} is outside the string section ({3} bytes)", id, kind.ToKernelName(), nameOff, stringsEnd);

            int extra = kind switch
            {
                BtfKind.Int => IntDataSize,
                BtfKind.Array => ArrayDataSize,
                BtfKind.Struct or BtfKind.Union => vlen * MemberSize,
                BtfKind.Enum => vlen * EnumValueSize,
                BtfKind.Enum64 => vlen * Enum64ValueSize,
                BtfKind.FuncProto => vlen * ParamSize,
                BtfKind.Var => VarDataSize,
                BtfKind.DataSec => vlen * VarSecInfoSize,
                BtfKind.DeclTag => DeclTagDataSize,
                _ => 0,
            };
            if (extra > end - p - TypeHeaderSize)
                throw Error("type {0} ({1}): record of {2} bytes (vlen {3}) runs past the end of the type section", id, kind.ToKernelName(), TypeHeaderSize + extra, vlen);

            // From here on every read stays inside [p, p + 12 + extra), which lies inside the type section.
            int q = p + TypeHeaderSize;
            switch (kind)
            {
                case BtfKind.Int:
                {
                    if (sizeOrType is not (1 or 2 or 4 or 8 or 16))
                        throw Error("type {0} (INT): invalid size {1}", id, sizeOrType);
                    uint enc = Read32(data, q);
                    uint bits = enc & 0xff, bitOffset = (enc >> 16) & 0xff;
                    if (bits + bitOffset > sizeOrType * 8)
                        throw Error("type {0} (INT): {1} bits at bit offset {2} exceed its size of {3} bytes", id, bits, bitOffset, sizeOrType);
                    if (_pointerSize == 0 && sizeOrType is 4 or 8 && IsLongName(nameOff))
                        _pointerSize = (int)sizeOrType;
                    break;
                }
                case BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                    or BtfKind.TypeTag:
                    Reference(sizeOrType, id, ref maxRef, ref maxRefFrom);
                    break;
                case BtfKind.Array:
                {
                    uint elem = Read32(data, q), index = Read32(data, q + 4), length = Read32(data, q + 8);
                    if (elem == 0)
                        throw Error("type {0} (ARRAY): element type is void", id);
                    if (length > int.MaxValue)
                        throw Error("type {0} (ARRAY): absurd length {1}", id, length);
                    Reference(elem, id, ref maxRef, ref maxRefFrom);
                    Reference(index, id, ref maxRef, ref maxRefFrom);
                    break;
                }
                case BtfKind.Struct or BtfKind.Union:
                {
                    if (sizeOrType > int.MaxValue)
                        throw Error("type {0} ({1}): absurd size {2}", id, kind.ToKernelName(), sizeOrType);
                    for (int i = 0; i < vlen; i++, q += MemberSize)
                    {
                        uint memberName = Read32(data, q), memberType = Read32(data, q + 4), offset = Read32(data, q + 8);
                        if (memberName >= (uint)stringsEnd)
                            throw Error("type {0} ({1}): member {2} name offset {3} is outside the string section", id, kind.ToKernelName(), i, memberName);
                        if (memberType == 0)
                            throw Error("type {0} ({1}): member {2} has type void", id, kind.ToKernelName(), i);
                        Reference(memberType, id, ref maxRef, ref maxRefFrom);
                        // With the kind_flag the top 8 bits are the bitfield size, the low 24 the bit offset.
                        if (kindFlag ? (offset >> 24) > MaxBitfieldSize : offset > int.MaxValue)
                            throw Error("type {0} ({1}): member {2} has an absurd offset 0x{3:X8}", id, kind.ToKernelName(), i, offset);
                    }
                    break;
                }
                case BtfKind.Enum or BtfKind.Enum64:
                {
                    // Size 0 with no values is how clang writes a declared, never defined enum (`enum E;`), as libbpf reads it.
                    if (sizeOrType is not (1 or 2 or 4 or 8) && !(sizeOrType == 0 && vlen == 0))
                        throw Error("type {0} ({1}): invalid size {2}", id, kind.ToKernelName(), sizeOrType);
                    int step = kind == BtfKind.Enum ? EnumValueSize : Enum64ValueSize;
                    for (int i = 0; i < vlen; i++, q += step)
                    {
                        uint valueName = Read32(data, q);
                        if (valueName >= (uint)stringsEnd)
                            throw Error("type {0} ({1}): value {2} name offset {3} is outside the string section", id, kind.ToKernelName(), i, valueName);
                    }
                    break;
                }
                case BtfKind.Func:
                    if (sizeOrType == 0)
                        throw Error("type {0} (FUNC): has no prototype", id);
                    Reference(sizeOrType, id, ref maxRef, ref maxRefFrom);
                    break;
                case BtfKind.FuncProto:
                {
                    Reference(sizeOrType, id, ref maxRef, ref maxRefFrom);
                    for (int i = 0; i < vlen; i++, q += ParamSize)
                    {
                        uint paramName = Read32(data, q), paramType = Read32(data, q + 4);
                        if (paramName >= (uint)stringsEnd)
                            throw Error("type {0} (FUNC_PROTO): parameter {1} name offset {2} is outside the string section", id, i, paramName);
                        // A void parameter only marks "..." and must be the last one, unnamed.
                        if (paramType == 0 && (i != vlen - 1 || paramName != 0))
                            throw Error("type {0} (FUNC_PROTO): parameter {1} has type void", id, i);
                        Reference(paramType, id, ref maxRef, ref maxRefFrom);
                    }
                    break;
                }
                case BtfKind.Var:
                    if (sizeOrType == 0)
                        throw Error("type {0} (VAR): has type void", id);
                    Reference(sizeOrType, id, ref maxRef, ref maxRefFrom);
                    break;
                case BtfKind.DataSec:
                {
                    if (sizeOrType > int.MaxValue)
                        throw Error("type {0} (DATASEC): absurd size {1}", id, sizeOrType);
                    for (int i = 0; i < vlen; i++, q += VarSecInfoSize)
                    {
                        uint varType = Read32(data, q), varOffset = Read32(data, q + 4), varSize = Read32(data, q + 8);
                        if (varType == 0)
                            throw Error("type {0} (DATASEC): entry {1} has type void", id, i);
                        if (varOffset > int.MaxValue || varSize > int.MaxValue)
                            throw Error("type {0} (DATASEC): entry {1} has an absurd offset {2} or size {3}", id, i, varOffset, varSize);
                        Reference(varType, id, ref maxRef, ref maxRefFrom);
                    }
                    break;
                }
                case BtfKind.Float:
                    if (sizeOrType is not (2 or 4 or 8 or 12 or 16))
                        throw Error("type {0} (FLOAT): invalid size {1}", id, sizeOrType);
                    break;
                case BtfKind.DeclTag:
                {
                    if (sizeOrType == 0)
                        throw Error("type {0} (DECL_TAG): tags void", id);
                    Reference(sizeOrType, id, ref maxRef, ref maxRefFrom);
                    int component = (int)Read32(data, q);
                    if (component < -1)
                        throw Error("type {0} (DECL_TAG): invalid component index {1}", id, component);
                    break;
                }
            }

            if (count == _offsets.Length)
            {
                int grown = checked(count * 2);
                Array.Resize(ref _offsets, grown);
                Array.Resize(ref _kinds, grown);
                Array.Resize(ref _sizes, grown);
                Array.Resize(ref _alignments, grown);
            }
            _offsets[count] = p;
            _kinds[count] = (byte)kind;
            // A record that refers only to types before it is resolved now, while it is in cache; in vmlinux
            // that is most of them. The others wait for pass 2.
            if (IsResolvableNow(count, kind, sizeOrType, p))
                Finish(count);
            else
                _sizes[count] = Unvisited;
            count++;
            p += TypeHeaderSize + extra;
        }

        long total = (long)_firstId + count;
        if (maxRef >= total)
            throw Error("type {0} refers to type {1}, but the last type id is {2}", maxRefFrom, maxRef, total - 1);
        _count = count;
    }

    /// <summary>
    /// Whether everything a just-indexed record needs for <see cref="Finish"/> lies before it and is resolved.
    /// Ids at or after it are not indexed yet (and may not exist): those records wait for <see cref="Resolve"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsResolvableNow(int local, BtfKind kind, uint sizeOrType, int p)
    {
        uint id = (uint)(_firstId + local);
        switch (kind)
        {
            case BtfKind.Int or BtfKind.Float or BtfKind.Enum or BtfKind.Enum64 or BtfKind.DataSec
                or BtfKind.Forward or BtfKind.FuncProto:
                return true;
            case BtfKind.Pointer:
                return _pointerSize != 0;
            case BtfKind.Func:
                return sizeOrType < id;
            case BtfKind.DeclTag:
                return _blob.Read32(p + TypeHeaderSize) == uint.MaxValue; // component −1: no target lookup
            case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag
                or BtfKind.Var:
                return IsResolvedBefore(sizeOrType, id);
            case BtfKind.Array:
                return IsResolvedBefore(_blob.Read32(p + TypeHeaderSize), id);
            case BtfKind.Struct or BtfKind.Union:
            {
                int vlen = (int)(_blob.Read32(p + 4) & 0xffff);
                for (int i = 0, q = p + TypeHeaderSize + 4; i < vlen; i++, q += MemberSize)
                {
                    if (!IsResolvedBefore(_blob.Read32(q), id))
                        return false;
                }
                return true;
            }
            default:
                return false;
        }
    }

    /// <summary>Whether <paramref name="target"/> is void, a base type, or an earlier type already resolved.</summary>
    private bool IsResolvedBefore(uint target, uint id) =>
        target < (uint)_firstId || (target < id && _sizes[target - (uint)_firstId] >= NoSize);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reference(uint target, int from, ref uint maxRef, ref int maxRefFrom)
    {
        if (target > maxRef)
        {
            maxRef = target;
            maxRefFrom = from;
        }
    }

    /// <summary>
    /// Whether an INT is C's <c>long</c> under one of its usual spellings: BTF does not record the pointer size,
    /// and <c>long</c> has it on every Linux ABI.
    /// </summary>
    private bool IsLongName(uint nameOff)
    {
        // Only reached for a base blob (split BTF takes its base's pointer size), so offsets are this blob's own.
        if (nameOff == 0)
            return false;
        var s = _blob.Span.Slice(_header.StringStart + (int)nameOff, _header.StringLength - (int)nameOff);
        s = s[..s.IndexOf((byte)0)];
        return s.SequenceEqual("long"u8) || s.SequenceEqual("long int"u8) || s.SequenceEqual("unsigned long"u8)
            || s.SequenceEqual("long unsigned int"u8) || s.SequenceEqual("unsigned long int"u8)
            || s.SequenceEqual("long unsigned"u8) || s.SequenceEqual("signed long"u8)
            || s.SequenceEqual("long signed int"u8);
    }

    /// <summary>Pass 2: the value-edge walk, resolving the records that pass 1 could not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Resolve()
    {
        int count = _count;
        var sizes = _sizes;

        var stackIds = new int[64];
        var stackEdges = new int[64];
        for (int root = 0; root < count; root++)
        {
            if (sizes[root] != Unvisited)
                continue;
            if (!HasValueEdges((BtfKind)_kinds[root]))
            {
                Finish(root);
                continue;
            }
            int sp = 1;
            stackIds[0] = root;
            stackEdges[0] = 0;
            sizes[root] = InProgress;

            while (sp > 0)
            {
                int local = stackIds[sp - 1];
                int edge = stackEdges[sp - 1];
                EdgeLayout(local, out int edgeCount, out int firstEdge, out int stride);
                bool descended = false;
                while (edge < edgeCount)
                {
                    int target = (int)_blob.Read32(firstEdge + edge * stride);
                    edge++;
                    if (target < _firstId)
                        continue; // void or a base type: already resolved
                    int next = target - _firstId;
                    int state = sizes[next];
                    if (state >= NoSize)
                        continue; // resolved
                    if (state == InProgress)
                        throw Error("type {0} ({1}): contains itself through type {2}", _firstId + local, ((BtfKind)_kinds[local]).ToKernelName(), target);
                    if (!HasValueEdges((BtfKind)_kinds[next]))
                    {
                        Finish(next);
                        continue;
                    }
                    stackEdges[sp - 1] = edge;
                    if (sp == stackIds.Length)
                    {
                        Array.Resize(ref stackIds, sp * 2);
                        Array.Resize(ref stackEdges, sp * 2);
                    }
                    stackIds[sp] = next;
                    stackEdges[sp] = 0;
                    sp++;
                    sizes[next] = InProgress;
                    descended = true;
                    break;
                }
                if (!descended)
                {
                    Finish(local);
                    sp--;
                }
            }
        }
    }

    private static bool HasValueEdges(BtfKind kind) => kind is BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const
        or BtfKind.Restrict or BtfKind.TypeTag or BtfKind.Var or BtfKind.Array or BtfKind.Struct or BtfKind.Union;

    /// <summary>Where a record's value edges (type ids) are: how many, the first one's offset, and the stride.</summary>
    private void EdgeLayout(int local, out int count, out int first, out int stride)
    {
        int p = _offsets[local];
        switch ((BtfKind)_kinds[local])
        {
            case BtfKind.Struct or BtfKind.Union:
                count = (int)(_blob.Read32(p + 4) & 0xffff);
                first = p + TypeHeaderSize + 4;
                stride = MemberSize;
                break;
            case BtfKind.Array:
                count = 1;
                first = p + TypeHeaderSize;
                stride = 0;
                break;
            default:
                count = 1;
                first = p + 8;
                stride = 0;
                break;
        }
    }

    // Accessors for ids of this blob or of the (already parsed) base.
    private BtfKind KindOf(int id) =>
        id == 0 ? BtfKind.Void : id >= _firstId ? (BtfKind)_kinds[id - _firstId] : _base!.KindOf(id);

    private int SizeOf(int id) =>
        id == 0 ? NoSize : id >= _firstId ? _sizes[id - _firstId] : _base!.SizeOrNone(id);

    private int AlignmentOf(int id) =>
        id == 0 ? 0 : id >= _firstId ? _alignments[id - _firstId] : _base!.AlignmentOrNone(id);

    private uint WordOf(int id, int offset) =>
        id >= _firstId ? _blob.Read32(_offsets[id - _firstId] + offset) : _base!.ReadWord(id, offset);

    /// <summary>
    /// Computes a type's size and alignment once everything it contains is resolved, and runs the checks that need
    /// their targets' kinds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Finish(int local)
    {
        int p = _offsets[local];
        int id = _firstId + local;
        var kind = (BtfKind)_kinds[local];
        uint sizeOrType = _blob.Read32(p + 8);
        int size = NoSize, alignment = 0;
        switch (kind)
        {
            case BtfKind.Int or BtfKind.Float:
                size = (int)sizeOrType;
                // Natural alignment: the size's lowest set bit (a 12-byte long double aligns to 4).
                alignment = size & -size;
                break;
            case BtfKind.Enum or BtfKind.Enum64:
                size = alignment = (int)sizeOrType;
                break;
            case BtfKind.DataSec:
                size = (int)sizeOrType;
                CheckDataSec(local);
                break;
            case BtfKind.Struct or BtfKind.Union:
                size = (int)sizeOrType;
                alignment = CompositeAlignment(local);
                break;
            case BtfKind.Pointer:
                size = alignment = _pointerSize;
                break;
            case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag
                or BtfKind.Var:
                size = SizeOf((int)sizeOrType);
                alignment = AlignmentOf((int)sizeOrType);
                break;
            case BtfKind.Array:
            {
                int elem = (int)_blob.Read32(p + TypeHeaderSize);
                int length = (int)_blob.Read32(p + TypeHeaderSize + 8);
                int elemSize = SizeOf(elem);
                if (elemSize < 0)
                    throw Error("type {0} (ARRAY): element type {1} ({2}) has no size", id, elem, KindOf(elem).ToKernelName());
                long total = (long)elemSize * length;
                if (total > int.MaxValue)
                    throw Error("type {0} (ARRAY): absurd size {1} × {2} bytes", id, length, elemSize);
                size = (int)total;
                alignment = AlignmentOf(elem);
                break;
            }
            case BtfKind.Func:
                if (KindOf((int)sizeOrType) != BtfKind.FuncProto)
                    throw Error("type {0} (FUNC): refers to type {1}, a {2} rather than a FUNC_PROTO", id, sizeOrType, KindOf((int)sizeOrType).ToKernelName());
                break;
            case BtfKind.DeclTag:
                CheckDeclTag(id, (int)sizeOrType, (int)_blob.Read32(p + TypeHeaderSize));
                break;
        }
        _sizes[local] = size;
        _alignments[local] = (byte)alignment;
    }

    /// <summary>
    /// The kernel's rule for a section with a size (clang leaves it 0 in objects, for the loader to fill in): every
    /// variable lies inside it, in order, without overlapping the one before.
    /// </summary>
    private void CheckDataSec(int local)
    {
        int p = _offsets[local];
        int vlen = (int)(_blob.Read32(p + 4) & 0xffff);
        long sectionSize = _blob.Read32(p + 8);
        if (sectionSize == 0)
            return;
        long lastEnd = 0;
        for (int i = 0, q = p + TypeHeaderSize; i < vlen; i++, q += VarSecInfoSize)
        {
            long offset = _blob.Read32(q + 4), size = _blob.Read32(q + 8);
            if (offset + size > sectionSize)
                throw Error("type {0} (DATASEC): entry {1} at offset {2} (+{3}) runs past the section's {4} bytes", _firstId + local, i, offset, size, sectionSize);
            if (offset < lastEnd)
                throw Error("type {0} (DATASEC): entry {1} at offset {2} overlaps the entry before it", _firstId + local, i, offset);
            lastEnd = offset + size;
        }
    }

    /// <summary>
    /// The kernel's rule for pointers: a chain of pointers, typedefs, qualifiers and type tags must end at some other
    /// kind (<c>PTR → CONST → PTR</c> back to the first is refused). A loop through a struct, union or function
    /// prototype is fine. Each type is walked once.
    /// </summary>
    private void CheckPointerChains()
    {
        const byte OnPath = 1, Checked = 2;
        var state = new byte[_count];
        var path = new List<int>();
        for (int root = 0; root < _count; root++)
        {
            if (state[root] != 0 || !IsChainKind((BtfKind)_kinds[root]))
                continue;
            path.Clear();
            int local = root;
            while (true)
            {
                state[local] = OnPath;
                path.Add(local);
                int target = (int)_blob.Read32(_offsets[local] + 8);
                if (target < _firstId)
                    break; // void or a base type: the base was checked on its own
                int next = target - _firstId;
                if (state[next] == Checked || !IsChainKind((BtfKind)_kinds[next]))
                    break;
                if (state[next] == OnPath)
                    throw Error("type {0} ({1}): refers to itself through pointers and modifiers only, by way of type {2}", _firstId + next, ((BtfKind)_kinds[next]).ToKernelName(), _firstId + local);
                local = next;
            }
            foreach (int l in path)
                state[l] = Checked;
        }
    }

    private static bool IsChainKind(BtfKind kind) => kind is BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile
        or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag;

    /// <summary>
    /// The alignment a struct's or union's members imply: the largest member alignment, or 1 when a member sits at
    /// an offset its alignment does not allow or the size is not a multiple of it (a packed struct). BTF does not
    /// record <c>__attribute__((aligned))</c> on the struct itself. Also checks, as the kernel does, that every member
    /// has a size and lies inside the type (a union's at offset 0, a struct's in increasing order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CompositeAlignment(int local)
    {
        int p = _offsets[local];
        uint info = _blob.Read32(p + 4);
        int vlen = (int)(info & 0xffff);
        bool kindFlag = (info & 0x8000_0000) != 0;
        int size = (int)_blob.Read32(p + 8);
        var kind = (BtfKind)_kinds[local];
        bool isUnion = kind == BtfKind.Union;
        int max = 1;
        bool packed = false;
        long lastOffset = 0;
        for (int i = 0, q = p + TypeHeaderSize; i < vlen; i++, q += MemberSize)
        {
            int memberType = (int)_blob.Read32(q + 4);
            uint offset = _blob.Read32(q + 8);
            int memberSize = SizeOf(memberType);
            if (memberSize < 0)
                throw Error("type {0} ({1}): member {2} has type {3} ({4}), which has no size", _firstId + local, kind.ToKernelName(), i, memberType, KindOf(memberType).ToKernelName());
            int alignment = Math.Max(1, AlignmentOf(memberType));
            max = Math.Max(max, alignment);
            bool bitfield = kindFlag && (offset >> 24) != 0;
            uint bitOffset = kindFlag ? offset & 0xff_ffff : offset;
            // The bits the member occupies: its bitfield size, an old-style INT bitfield's bits, or its whole size.
            long bits = bitfield ? offset >> 24 : IsIntBitfield(memberType) ? IntBits(memberType) : memberSize * 8L;
            if (isUnion && bitOffset != 0)
                throw Error("type {0} (UNION): member {1} is at bit offset {2}, not 0", _firstId + local, i, bitOffset);
            if (bitOffset < lastOffset)
                throw Error("type {0} (STRUCT): member {1} at bit offset {2} comes before the member ahead of it", _firstId + local, i, bitOffset);
            lastOffset = bitOffset;
            if (bitOffset + bits > size * 8L)
                throw Error("type {0} ({1}): member {2} ({3} bits at bit offset {4}) does not fit in its size of " + size + " bytes", _firstId + local, kind.ToKernelName(), i, bits, bitOffset);
            if (!bitfield && bitOffset % (uint)(alignment * 8) != 0 && !IsIntBitfield(memberType))
                packed = true;
        }
        return packed || size % max != 0 ? 1 : max;
    }

    /// <summary>
    /// Whether a type is (a typedef or qualifier of) an INT narrower than its storage: the bitfield encoding used
    /// in struct members before the kind_flag existed.
    /// </summary>
    private bool IsIntBitfield(int id)
    {
        // The chain is finite: its links are value edges, already checked for loops.
        while (KindOf(id) is BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
               or BtfKind.TypeTag)
            id = (int)WordOf(id, 8);
        if (KindOf(id) != BtfKind.Int)
            return false;
        uint encoding = WordOf(id, TypeHeaderSize);
        return (encoding & 0xff) != WordOf(id, 8) * 8 || ((encoding >> 16) & 0xff) != 0;
    }

    /// <summary>The bits an old-style INT bitfield member spans from its offset: the INT's bit offset plus its bits.</summary>
    private long IntBits(int id)
    {
        while (KindOf(id) is BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
               or BtfKind.TypeTag)
            id = (int)WordOf(id, 8);
        uint encoding = WordOf(id, TypeHeaderSize);
        return (encoding & 0xff) + ((encoding >> 16) & 0xff);
    }

    /// <summary>A tag on a member or parameter must name one that exists.</summary>
    private void CheckDeclTag(int id, int target, int component)
    {
        if (component == -1)
            return;
        var kind = KindOf(target);
        int components;
        if (kind is BtfKind.Struct or BtfKind.Union)
        {
            components = (int)(WordOf(target, 4) & 0xffff);
        }
        else if (kind == BtfKind.Func && KindOf((int)WordOf(target, 8)) == BtfKind.FuncProto)
        {
            components = (int)(WordOf((int)WordOf(target, 8), 4) & 0xffff);
        }
        else
        {
            throw Error("type {0} (DECL_TAG): component {1} of a {2}, which has no components", id, component, kind.ToKernelName());
        }
        if (component >= components)
            throw Error("type {0} (DECL_TAG): component {1} of type {2}, which has {3}", id, component, target, components);
    }
}
