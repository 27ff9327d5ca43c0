namespace BpfSharp;

/// <summary>
/// A map described by an object: its definition can be changed until <see cref="BpfObject.Load"/>, which
/// creates it (<see cref="Map"/>).
/// </summary>
public sealed class BpfObjectMap
{
    internal BpfObjectMap(string name) => Name = name;

    /// <summary>The map's name in the object.</summary>
    public string Name { get; }

    /// <summary>The map type; may be changed before load.</summary>
    public BpfMapType Type { get; set; }
    /// <summary>The key size in bytes; may be changed before load.</summary>
    public int KeySize { get; set; }
    /// <summary>The value size in bytes; may be changed before load.</summary>
    public int ValueSize { get; set; }

    /// <summary>
    /// The number of entries; for a ring buffer its size in bytes, which <see cref="BpfObject.Load"/> rounds up to
    /// the next page size times a power of two, the only sizes the kernel accepts (as libbpf does).
    /// </summary>
    public int MaxEntries { get; set; }
    /// <summary>The creation flags; may be changed before load.</summary>
    public BpfMapFlags Flags { get; set; }
    /// <summary>The NUMA node to allocate on, or null for any.</summary>
    public int? NumaNode { get; set; }
    /// <summary>The type-specific <c>map_extra</c> (a Bloom filter's hash count, an arena's address).</summary>
    public ulong MapExtra { get; set; }
    /// <summary>Whether the map is pinned by name under <see cref="BpfObjectOptions.PinRoot"/>.</summary>
    public BpfMapPinning Pinning { get; set; }

    /// <summary>
    /// A bpffs path to pin the map at, reusing a compatible map already pinned there (as <see cref="BpfMapPinning.ByName"/>
    /// does under <see cref="BpfObjectOptions.PinRoot"/>, which this overrides).
    /// </summary>
    public string? PinPath { get; set; }

    /// <summary>The definition of the inner maps of a map-in-map.</summary>
    public BpfObjectMap? InnerMap { get; internal set; }

    /// <summary>The ELF section the map comes from: <c>.maps</c>, <c>maps</c>, or a global data section (<c>.data</c>, <c>.rodata</c>...).</summary>
    public string SectionName { get; internal init; } = "";

    /// <summary>Whether the map holds global data (one array element: the section's bytes).</summary>
    public bool IsGlobalData { get; internal init; }

    /// <summary>Whether the map is frozen after its initial contents are written (<c>.rodata</c>).</summary>
    public bool IsReadOnly { get; internal init; }

    /// <summary>The created map, after <see cref="BpfObject.Load"/>.</summary>
    public BpfMap? Map { get; internal set; }

    /// <summary>An arena map's memory, mapped at load (where its <c>__arena</c> globals were written); null for other maps.</summary>
    public BpfArenaMemory? Arena { get; internal set; }

    /// <summary>Where in the arena the object's <c>__arena</c> globals start (its last pages, as libbpf 1.7 places them).</summary>
    public long ArenaDataOffset { get; internal set; }

    internal uint BtfKeyTypeId { get; set; }
    internal uint BtfValueTypeId { get; set; }

    /// <summary>The section's bytes for global data (written at load; variables change them before).</summary>
    internal byte[]? InitialData { get; set; }

    /// <summary>
    /// Slot → symbol name for <c>.values</c> initialisers of map-in-map and program arrays; for struct_ops maps,
    /// byte offset of a function pointer in the local struct → program name.
    /// </summary>
    internal SortedDictionary<int, string> InitialValues { get; } = [];

    /// <summary>Offset of the map's definition in its section (legacy maps) or its symbol.</summary>
    internal ulong SymbolOffset { get; init; }

    internal int SectionIndex { get; init; }

    /// <summary>struct_ops maps: the object's local struct type (its name names the kernel's struct).</summary>
    internal int StructOpsTypeId { get; init; }

    /// <summary>
    /// libbpf's rule for ring buffer sizes: a size that is a power-of-two number of pages is kept, any other is rounded
    /// up to the next one; 0 stays 0 so that the kernel's error names a forgotten size, and a size no such product
    /// can hold is passed on for the kernel to refuse.
    /// </summary>
    internal static int RingBufferSize(int requested)
    {
        long page = Environment.SystemPageSize;
        if (requested <= 0) return requested;
        for (long size = page; size <= int.MaxValue; size <<= 1)
            if (size >= requested) return (int)size;
        return requested;
    }

    /// <summary>The map's type, name and sizes.</summary>
    public override string ToString() => $"{Type} map \"{Name}\" (key {KeySize} B, value {ValueSize} B, {MaxEntries} entries)";
}
