using System.Buffers.Binary;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Elf;
using BpfSharp.Interop;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// ObjectBtf.FixUp fills a DATASEC's offsets from the ELF symbols and must then sort its entries by offset: clang
/// lists variables in its own order and the kernel refuses a DATASEC whose offsets go down ("Invalid offset").
/// BTF made with BtfBuilder, the ELF made here: no fixture.
/// </summary>
public class ObjectBtfDataSecOrderTests
{
    /// <summary>BTF as clang writes it before loading: offsets 0, size 0, <c>second</c> listed before <c>first</c>.</summary>
    private static BtfSpec ClangStyleBtf()
    {
        var b = new BtfBuilder();
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int first = b.AddVar("first", i);
        int second = b.AddVar("second", i);
        b.AddDataSec(".data", 0, [new(second, 0, 4), new(first, 0, 4)]);
        return b.ToSpec();
    }

    [Fact]
    public void FixUp_SortsDataSecVariablesByTheirSymbolsOffsets()
    {
        var btf = ClangStyleBtf();
        var elf = ElfFile.Parse(DataObject(("first", 0), ("second", 4)), "h-linker-datasec.o");

        var fixedUp = BtfSpec.Parse(ObjectBtf.FixUp(btf, elf, []));

        var datasec = fixedUp.Types.OfType<BtfDataSec>().Single();
        Assert.Equal(8, datasec.Size);
        Assert.Equal(["first@0", "second@4"], datasec.Variables.Select(v => $"{fixedUp[v.TypeId].Name}@{v.Offset}"));
    }

    [Fact]
    public void FixUp_ResultLoadsIntoTheKernel()
    {
        TestKernel.RequireRoot();
        var elf = ElfFile.Parse(DataObject(("first", 0), ("second", 4)), "h-linker-datasec.o");
        using var handle = BtfLoader.Load(ObjectBtf.FixUp(ClangStyleBtf(), elf, []), "h-linker DATASEC order");
    }

    /// <summary>A relocatable BPF ELF with an 8-byte <c>.data</c> and one global OBJECT symbol per variable.</summary>
    private static byte[] DataObject(params (string Name, int Offset)[] variables)
    {
        var strtab = new MemoryStream();
        strtab.WriteByte(0);
        var symtab = new byte[(variables.Length + 1) * 24];
        for (int k = 0; k < variables.Length; k++)
        {
            var sym = symtab.AsSpan((k + 1) * 24);
            BinaryPrimitives.WriteUInt32LittleEndian(sym, (uint)strtab.Length);
            strtab.Write(Encoding.ASCII.GetBytes(variables[k].Name + "\0"));
            sym[4] = (1 << 4) | 1; // STB_GLOBAL, STT_OBJECT
            BinaryPrimitives.WriteUInt16LittleEndian(sym[6..], 1); // .data
            BinaryPrimitives.WriteUInt64LittleEndian(sym[8..], (ulong)variables[k].Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(sym[16..], 4);
        }
        const string names = "\0.data\0.symtab\0.strtab\0.shstrtab\0";
        // name offset, type, flags, data, link, info, entsize
        var sections = new (int Name, uint Type, ulong Flags, byte[] Data, uint Link, uint Info, ulong EntSize)[]
        {
            (1, 1, 0x3, new byte[8], 0, 0, 0),                    // .data: PROGBITS, SHF_WRITE | SHF_ALLOC
            (7, 2, 0, symtab, 3, 1, 24),                          // .symtab: link .strtab, first global 1
            (15, 3, 0, strtab.ToArray(), 0, 0, 0),                // .strtab
            (23, 3, 0, Encoding.ASCII.GetBytes(names), 0, 0, 0),  // .shstrtab
        };
        var image = new MemoryStream();
        image.Write(new byte[64]);
        var offsets = new long[sections.Length];
        for (int k = 0; k < sections.Length; k++)
        {
            while (image.Length % 8 != 0) image.WriteByte(0);
            offsets[k] = image.Length;
            image.Write(sections[k].Data);
        }
        while (image.Length % 8 != 0) image.WriteByte(0);
        long shoff = image.Length;
        image.Write(new byte[64]);
        var header = new byte[64];
        for (int k = 0; k < sections.Length; k++)
        {
            var s = sections[k];
            Array.Clear(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)s.Name);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), s.Type);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), (ulong)offsets[k]);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), (ulong)s.Data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), s.Link);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(44), s.Info);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), 8);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), s.EntSize);
            image.Write(header);
        }
        var bytes = image.ToArray();
        new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }.CopyTo(bytes, 0);
        bytes[4] = 2; bytes[5] = 1; bytes[6] = 1; // 64-bit, little-endian, version 1
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(16), 1); // ET_REL
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(18), 247); // EM_BPF
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(40), (ulong)shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(52), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(58), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(60), (ushort)(sections.Length + 1));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(62), (ushort)sections.Length);
        return bytes;
    }
}
