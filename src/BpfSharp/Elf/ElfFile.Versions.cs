using System.Buffers.Binary;

namespace BpfSharp.Elf;

public sealed partial class ElfFile
{
    // The GNU versioning records: Elf64_Verdef/Elf64_Verdaux and Elf64_Verneed/Elf64_Vernaux.
    private const int VerdefSize = 20;
    private const int VerdauxSize = 8;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    // In a .gnu.version entry the top bit marks a hidden (non-default) version; 0 and 1 mean unversioned.
    private const ushort VersionHiddenBit = 0x8000;
    private const ushort VersionIndexMask = 0x7fff;

    private readonly record struct SymbolVersion(string? Name, bool Hidden);

    // One version per dynamic symbol, from the SHT_GNU_versym section linked to `dynsym`; null without one.
    private SymbolVersion[]? ReadSymbolVersions(ElfSection dynsym, int count)
    {
        ElfSection? versym = null;
        foreach (ElfSection s in _sections)
        {
            if (s.Type == ElfSectionType.GnuVersionSymbols && s.Link == (uint)dynsym.Index)
            {
                versym = s;
                break;
            }
        }
        if (versym is null)
            return null;
        if (versym.EntrySize != 2)
            throw Malformed($"{Describe(versym)}: sh_entsize is {versym.EntrySize}, a version index is 2 bytes");
        if (versym.Size != (ulong)count * 2)
            throw Malformed($"{Describe(versym)}: size 0x{versym.Size:x} does not hold one version index for each of the {count} symbols of {Describe(dynsym)}");

        Dictionary<int, string> names = VersionNames();
        ReadOnlySpan<byte> data = versym.Data.Span;
        var versions = new SymbolVersion[count];
        for (int i = 0; i < count; i++)
        {
            ushort raw = BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]);
            int index = raw & VersionIndexMask;
            if (index <= 1)
                continue;
            if (!names.TryGetValue(index, out string? name))
                throw Malformed($"{Describe(versym)}: symbol {i} has version index {index}, which no version definition or need declares");
            versions[i] = new SymbolVersion(name, (raw & VersionHiddenBit) != 0);
        }
        return versions;
    }

    // Version index -> name, from every SHT_GNU_verdef (versions this file defines) and SHT_GNU_verneed
    // (versions it needs from its dependencies) section.
    private Dictionary<int, string> VersionNames()
    {
        var names = new Dictionary<int, string>();
        foreach (ElfSection s in _sections)
        {
            if (s.Type == ElfSectionType.GnuVersionDefinitions)
                ReadVersionDefinitions(s, names);
            else if (s.Type == ElfSectionType.GnuVersionNeeds)
                ReadVersionNeeds(s, names);
        }
        return names;
    }

    // A chain of Verdef records, each linked to the next by vd_next (0 ends it) and to its names by vd_aux;
    // the first Verdaux holds the version's own name.
    private void ReadVersionDefinitions(ElfSection section, Dictionary<int, string> names)
    {
        ElfSection strings = VersionStrings(section);
        ReadOnlySpan<byte> data = section.Data.Span;
        // Records are distinct and at least VerdefSize bytes apart in a well-formed chain; more steps is a loop.
        int budget = data.Length / VerdefSize + 1;
        ulong offset = 0;
        for (int n = 0; ; n++)
        {
            if (--budget < 0)
                throw Malformed($"{Describe(section)}: the version definition chain does not end");
            if (!Fits(offset, VerdefSize, data.Length))
                throw Malformed($"{Describe(section)}: version definition {n} at offset 0x{offset:x} lies outside the section");
            ReadOnlySpan<byte> def = data.Slice((int)offset, VerdefSize);
            ushort index = BinaryPrimitives.ReadUInt16LittleEndian(def[4..]);
            ushort auxCount = BinaryPrimitives.ReadUInt16LittleEndian(def[6..]);
            uint aux = BinaryPrimitives.ReadUInt32LittleEndian(def[12..]);
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(def[16..]);
            if (auxCount > 0)
            {
                ulong auxOffset = offset + aux;
                if (!Fits(auxOffset, VerdauxSize, data.Length))
                    throw Malformed($"{Describe(section)}: the name of version definition {n} at offset 0x{auxOffset:x} lies outside the section");
                uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)auxOffset..]);
                names.TryAdd(index & VersionIndexMask, ReadString(strings, nameOffset, "version definition", n));
            }
            if (next == 0)
                return;
            offset += next;
        }
    }

    // A chain of Verneed records (one per needed file, linked by vn_next), each with vn_cnt Vernaux records
    // (linked by vna_next) whose vna_other is the version index symbols use.
    private void ReadVersionNeeds(ElfSection section, Dictionary<int, string> names)
    {
        ElfSection strings = VersionStrings(section);
        ReadOnlySpan<byte> data = section.Data.Span;
        int budget = data.Length / VerneedSize + 1;
        ulong offset = 0;
        for (int n = 0; ; n++)
        {
            if (--budget < 0)
                throw Malformed($"{Describe(section)}: the version need chain does not end");
            if (!Fits(offset, VerneedSize, data.Length))
                throw Malformed($"{Describe(section)}: version need {n} at offset 0x{offset:x} lies outside the section");
            ReadOnlySpan<byte> need = data.Slice((int)offset, VerneedSize);
            ushort auxCount = BinaryPrimitives.ReadUInt16LittleEndian(need[2..]);
            uint aux = BinaryPrimitives.ReadUInt32LittleEndian(need[8..]);
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(need[12..]);

            ulong auxOffset = offset + aux;
            for (int k = 0; k < auxCount; k++)
            {
                if (--budget < 0)
                    throw Malformed($"{Describe(section)}: the version need chain does not end");
                if (!Fits(auxOffset, VernauxSize, data.Length))
                    throw Malformed($"{Describe(section)}: entry {k} of version need {n} at offset 0x{auxOffset:x} lies outside the section");
                ReadOnlySpan<byte> entry = data.Slice((int)auxOffset, VernauxSize);
                ushort index = BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]);
                uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
                uint auxNext = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
                names.TryAdd(index & VersionIndexMask, ReadString(strings, nameOffset, "version need", n));
                if (auxNext == 0)
                    break;
                auxOffset += auxNext;
            }
            if (next == 0)
                return;
            offset += next;
        }
    }

    private ElfSection VersionStrings(ElfSection section)
    {
        ElfSection strings = LinkedSection(section, section.Link, "sh_link (string table)");
        if (strings.Type != ElfSectionType.StringTable)
            throw Malformed($"{Describe(section)}: sh_link {section.Link} names a {strings.Type} section, not a string table");
        return strings;
    }
}
