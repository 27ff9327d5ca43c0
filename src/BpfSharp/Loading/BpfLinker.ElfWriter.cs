using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Loading;

public sealed partial class BpfLinker
{
    /// <summary>One section of the output object (ELF64, little-endian, <c>ET_REL</c>, <c>EM_BPF</c>).</summary>
    private sealed class OutSection(string name, uint type, ulong flags, ulong alignment)
    {
        public string Name { get; } = name;
        public uint Type { get; } = type;
        public ulong Flags { get; } = flags;
        public ulong Alignment { get; set; } = alignment;
        public MemoryStream Data { get; } = new();
        /// <summary>Bytes, also for NOBITS sections, whose data stays empty.</summary>
        public long Size { get; set; }
        public List<OutRelocation> Relocations { get; } = [];
        public bool IsExecutable => (Flags & ShfExecInstr) != 0;
        public OutSymbol? SectionSymbol { get; set; }
    }

    private readonly record struct OutRelocation(ulong Offset, uint Type, OutSymbol Symbol);

    /// <summary>A symbol of the output table; its final index is known only when the table is written (locals first).</summary>
    private sealed class OutSymbol
    {
        public string Name = "";
        public byte Binding;
        public byte Type;
        public byte Other;
        public OutSection? Section;
        public bool IsAbsolute;
        public ulong Value;
        public ulong Size;
        public int Index;
    }

    private const uint ShtProgBits = 1, ShtSymTab = 2, ShtStrTab = 3, ShtNoBits = 8, ShtRel = 9;
    private const ulong ShfAlloc = 0x2, ShfExecInstr = 0x4, ShfInfoLink = 0x40;
    private const byte SttSection = 3, SttFile = 4, StbLocal = 0, StbGlobal = 1, StbWeak = 2;

    /// <summary>Lays the sections out and writes the object: content sections, their <c>.rel</c> sections, .BTF, .BTF.ext, .symtab, .strtab, .shstrtab.</summary>
    private static byte[] WriteElf(IReadOnlyList<OutSection> content, List<OutSymbol> symbols, byte[]? btf, byte[]? btfExt)
    {
        var all = new List<(string Name, uint Type, ulong Flags, byte[] Data, ulong Size, uint Link, uint Info, ulong Align, ulong EntSize)>();
        var shstr = new StringTableWriter();
        var str = new StringTableWriter();

        // Locals first: sh_info of .symtab is the index of the first non-local symbol.
        var ordered = symbols.Where(s => s.Binding == StbLocal).Concat(symbols.Where(s => s.Binding != StbLocal)).ToList();
        for (int i = 0; i < ordered.Count; i++) ordered[i].Index = i + 1;
        int firstGlobal = 1 + symbols.Count(s => s.Binding == StbLocal);

        var sectionIndex = new Dictionary<OutSection, int>();
        foreach (var s in content)
        {
            sectionIndex[s] = all.Count + 1;
            all.Add((s.Name, s.Type, s.Flags, s.Type == ShtNoBits ? [] : s.Data.ToArray(), (ulong)s.Size, 0, 0, Math.Max(1, s.Alignment), 0));
        }
        int symtabIndex = all.Count + 1 + content.Count(s => s.Relocations.Count > 0) + (btf is null ? 0 : 1) + (btfExt is null ? 0 : 1);
        foreach (var s in content.Where(s => s.Relocations.Count > 0))
        {
            var rel = new byte[s.Relocations.Count * 16];
            for (int i = 0; i < s.Relocations.Count; i++)
            {
                var r = s.Relocations[i];
                BinaryPrimitives.WriteUInt64LittleEndian(rel.AsSpan(i * 16), r.Offset);
                BinaryPrimitives.WriteUInt64LittleEndian(rel.AsSpan(i * 16 + 8), ((ulong)(uint)r.Symbol.Index << 32) | r.Type);
            }
            all.Add((".rel" + s.Name, ShtRel, ShfInfoLink, rel, (ulong)rel.Length, (uint)symtabIndex, (uint)sectionIndex[s], 8, 16));
        }
        if (btf is not null) all.Add((".BTF", ShtProgBits, 0, btf, (ulong)btf.Length, 0, 0, 4, 0));
        if (btfExt is not null) all.Add((".BTF.ext", ShtProgBits, 0, btfExt, (ulong)btfExt.Length, 0, 0, 4, 0));

        var symtab = new byte[(ordered.Count + 1) * 24];
        foreach (var sym in ordered)
        {
            var span = symtab.AsSpan(sym.Index * 24);
            BinaryPrimitives.WriteUInt32LittleEndian(span, sym.Name.Length == 0 ? 0u : (uint)str.Add(sym.Name));
            span[4] = (byte)((sym.Binding << 4) | sym.Type);
            span[5] = sym.Other;
            ushort shndx = sym.IsAbsolute ? (ushort)0xfff1 : sym.Section is { } sec && sectionIndex.TryGetValue(sec, out int idx) ? (ushort)idx : (ushort)0;
            BinaryPrimitives.WriteUInt16LittleEndian(span[6..], shndx);
            BinaryPrimitives.WriteUInt64LittleEndian(span[8..], sym.Value);
            BinaryPrimitives.WriteUInt64LittleEndian(span[16..], sym.Size);
        }
        all.Add((".symtab", ShtSymTab, 0, symtab, (ulong)symtab.Length, (uint)(symtabIndex + 1), (uint)firstGlobal, 8, 24));
        var strBytes = str.ToArray();
        all.Add((".strtab", ShtStrTab, 0, strBytes, (ulong)strBytes.Length, 0, 0, 1, 0));
        var nameOffsets = all.Select(s => shstr.Add(s.Name)).ToList();
        int shstrNameOffset = shstr.Add(".shstrtab");
        var shstrBytes = shstr.ToArray();
        all.Add((".shstrtab", ShtStrTab, 0, shstrBytes, (ulong)shstrBytes.Length, 0, 0, 1, 0));
        nameOffsets.Add(shstrNameOffset);

        using var output = new MemoryStream();
        output.Write(new byte[64]);
        var offsets = new ulong[all.Count];
        for (int i = 0; i < all.Count; i++)
        {
            while (output.Length % (long)all[i].Align != 0) output.WriteByte(0);
            offsets[i] = (ulong)output.Length;
            output.Write(all[i].Data);
        }
        while (output.Length % 8 != 0) output.WriteByte(0);
        ulong shoff = (ulong)output.Length;
        output.Write(new byte[64]); // section 0
        var header = new byte[64];
        for (int i = 0; i < all.Count; i++)
        {
            var s = all[i];
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)nameOffsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), s.Type);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), 0);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), s.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), s.Link);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(44), s.Info);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), s.Align);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), s.EntSize);
            output.Write(header);
        }
        var image = output.ToArray();
        var e = image.AsSpan();
        e[0] = 0x7f; e[1] = (byte)'E'; e[2] = (byte)'L'; e[3] = (byte)'F';
        e[4] = 2; e[5] = 1; e[6] = 1; // ELFCLASS64, little-endian, EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(e[16..], 1); // ET_REL
        BinaryPrimitives.WriteUInt16LittleEndian(e[18..], 247); // EM_BPF
        BinaryPrimitives.WriteUInt32LittleEndian(e[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(e[40..], shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(e[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(e[58..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(e[60..], (ushort)(all.Count + 1));
        BinaryPrimitives.WriteUInt16LittleEndian(e[62..], (ushort)all.Count);
        return image;
    }

    /// <summary>An ELF string table: offset 0 is the empty string, each name stored once.</summary>
    private sealed class StringTableWriter
    {
        private readonly MemoryStream _bytes = new();
        private readonly Dictionary<string, int> _offsets = new(StringComparer.Ordinal) { [""] = 0 };

        public StringTableWriter() => _bytes.WriteByte(0);

        public int Add(string s)
        {
            if (_offsets.TryGetValue(s, out int at)) return at;
            at = (int)_bytes.Length;
            _bytes.Position = at;
            _bytes.Write(Encoding.UTF8.GetBytes(s));
            _bytes.WriteByte(0);
            _offsets[s] = at;
            return at;
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}
