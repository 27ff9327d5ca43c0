using BpfSharp.Elf;

namespace BpfSharp;

/// <summary>
/// <c>__arena</c> globals: clang puts variables of address space 1 in the section <c>.addr_space.1</c>. As libbpf 1.7
/// does, they live in the object's one arena map, in its last pages (a program's own allocations grow from the
/// start); the loader maps the arena right after creating it and copies their initial values there, and program
/// references to them become the arena's address plus that offset (<c>BPF_PSEUDO_MAP_VALUE</c> on the arena map).
/// </summary>
internal static class ObjectArena
{
    public const string Section = ".addr_space.1";

    /// <summary>The initial bytes of the arena globals (zeros for a NOBITS section), or null when the object has none.</summary>
    public static byte[]? ReadData(ElfFile elf)
    {
        var section = elf.Sections.FirstOrDefault(s => s.Name == Section);
        if (section is null || section.Size == 0) return null;
        return section.Type == ElfSectionType.NoBits ? new byte[checked((int)section.Size)] : section.Data.ToArray();
    }

    /// <summary>Where the globals start: the arena's size less their size rounded up to pages.</summary>
    public static long DataOffset(long arenaSize, int dataSize)
    {
        long page = Interop.Libc.PageSize;
        long allocated = (dataSize + page - 1) / page * page;
        if (allocated > arenaSize)
            throw new BpfException("load of arena globals", $"{Section} needs {allocated} bytes, more than the arena's {arenaSize}");
        return arenaSize - allocated;
    }

    /// <summary>The object's arena map, which its arena globals need (exactly one, as libbpf requires).</summary>
    public static BpfObjectMap ArenaOf(IEnumerable<BpfObjectMap> maps, string objectName)
    {
        var arenas = maps.Where(m => m.Type == BpfMapType.Arena).Take(2).ToList();
        return arenas.Count == 1 ? arenas[0]
            : throw new BpfFormatException($"BPF object {objectName}", $"{Section} (__arena globals) needs exactly one arena map; the object has {(arenas.Count == 0 ? "none" : "several")}");
    }

    /// <summary>Maps a newly created arena and writes the globals' initial values at their place.</summary>
    public static void MapAndFill(BpfObjectMap map, byte[]? data)
    {
        var memory = map.Map!.MapArena(map.MapExtra);
        map.Arena = memory;
        if (data is null) return;
        map.ArenaDataOffset = DataOffset(memory.Length, data.Length);
        data.CopyTo(memory.Span[(int)map.ArenaDataOffset..]);
    }
}
