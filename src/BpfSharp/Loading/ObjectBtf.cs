using System.Buffers.Binary;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp;

/// <summary>
/// The loader's fix-ups of an object's BTF before the kernel sees it, as libbpf makes them: clang leaves
/// DATASEC sizes and variable offsets at zero in relocatable objects; they are the ELF sections' sizes and
/// the symbols' values.
/// </summary>
internal static class ObjectBtf
{
    public static byte[] FixUp(BtfSpec btf, ElfFile elf)
    {
        var blob = (byte[])btf.Data.Clone();
        foreach (var datasec in btf.Types.OfType<BtfDataSec>())
        {
            var section = elf.FindSection(datasec.Name);
            if (section is null) continue;
            int record = btf.RecordOffset(datasec.Id);
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + 8), (uint)section.Size);
            for (int k = 0; k < datasec.Variables.Length; k++)
            {
                var vsi = datasec.Variables[k];
                if (btf[vsi.TypeId] is not BtfVar v) continue;
                var sym = elf.Symbols.FirstOrDefault(s => s.Name == v.Name && s.Section?.Index == section.Index);
                if (sym is null) continue;
                // struct btf_var_secinfo { type, offset, size } after the 12-byte type header.
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + 12 + k * 12 + 4), (uint)sym.Value);
            }
        }
        return blob;
    }
}
