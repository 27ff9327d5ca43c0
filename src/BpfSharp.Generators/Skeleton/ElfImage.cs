using System;
using System.Collections.Generic;

namespace BpfSharp.Generators.Skeleton;

/// <summary>The parts of an ELF64 relocatable BPF object a skeleton needs: sections by name and function symbols.</summary>
internal sealed class ElfImage
{
    private const uint ShfExecInstr = 0x4;
    private const uint ShtSymTab = 2;
    private const byte SttFunc = 2;
    private const byte StbGlobal = 1;

    public sealed class Section
    {
        public Section(int index, string name, uint type, ulong flags, int offset, int size)
        {
            Index = index; Name = name; Type = type; Flags = flags; Offset = offset; Size = size;
        }
        public int Index { get; }
        public string Name { get; }
        public uint Type { get; }
        public ulong Flags { get; }
        public int Offset { get; }
        public int Size { get; }
        public bool IsExecutable => (Flags & ShfExecInstr) != 0;
    }

    private ElfImage(byte[] data, List<Section> sections)
    {
        Data = data;
        Sections = sections;
    }

    public byte[] Data { get; }

    public List<Section> Sections { get; }

    public Section? Find(string name) => Sections.Find(s => s.Name == name);

    public byte[] Bytes(Section s)
    {
        var copy = new byte[s.Size];
        Array.Copy(Data, s.Offset, copy, 0, s.Size);
        return copy;
    }

    public static ElfImage Parse(byte[] b)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new SkeletonException("not an ELF file");
        if (b[4] != 2 || b[5] != 1)
            throw new SkeletonException("not a little-endian ELF64 file (a BPF object built with clang -target bpf is one)");
        if (ByteReader.U16(b, 18) != 247)
            throw new SkeletonException("not a BPF object (e_machine is not EM_BPF)");
        long shoff = (long)ByteReader.U64(b, 40);
        int shentsize = ByteReader.U16(b, 58), shnum = ByteReader.U16(b, 60), shstrndx = ByteReader.U16(b, 62);
        ByteReader.Check(b, shoff, (long)shentsize * shnum, "the section header table");

        var raw = new List<(uint name, uint type, ulong flags, int offset, int size)>();
        for (int i = 0; i < shnum; i++)
        {
            int at = (int)shoff + i * shentsize;
            uint type = ByteReader.U32(b, at + 4);
            long offset = (long)ByteReader.U64(b, at + 24), size = (long)ByteReader.U64(b, at + 32);
            if (type != 8 /* SHT_NOBITS */) ByteReader.Check(b, offset, size, $"section {i}");
            raw.Add((ByteReader.U32(b, at), type, ByteReader.U64(b, at + 8), (int)offset, type == 8 ? 0 : (int)size));
        }
        int names = raw[shstrndx].offset;
        var sections = new List<Section>();
        for (int i = 0; i < raw.Count; i++)
            sections.Add(new Section(i, ByteReader.CString(b, names + (int)raw[i].name), raw[i].type, raw[i].flags, raw[i].offset, raw[i].size));
        return new ElfImage(b, sections);
    }

    /// <summary>Global functions in executable sections other than .text: the object's programs, with their section names.</summary>
    public List<(string Name, string Section)> Programs()
    {
        var result = new List<(string, string)>();
        var symtab = Sections.Find(s => s.Type == ShtSymTab);
        if (symtab is null) return result;
        // sh_link of the symbol table names its string table.
        int at = symtab.Offset;
        var strtab = StringTableOf(symtab);
        for (int i = 0; i + 24 <= symtab.Size; i += 24)
        {
            byte info = Data[at + i + 4];
            int shndx = ByteReader.U16(Data, at + i + 6);
            if ((info & 0xf) != SttFunc || info >> 4 != StbGlobal || shndx == 0 || shndx >= Sections.Count) continue;
            var section = Sections[shndx];
            if (!section.IsExecutable || section.Name == ".text") continue;
            result.Add((ByteReader.CString(Data, strtab.Offset + (int)ByteReader.U32(Data, at + i)), section.Name));
        }
        return result;
    }

    private Section StringTableOf(Section symtab)
    {
        // The section header's sh_link is at offset 40 of its entry.
        long shoff = (long)ByteReader.U64(Data, 40);
        int shentsize = ByteReader.U16(Data, 58);
        int link = (int)ByteReader.U32(Data, (int)shoff + symtab.Index * shentsize + 40);
        if (link <= 0 || link >= Sections.Count) throw new SkeletonException("the symbol table names no string table");
        return Sections[link];
    }
}
