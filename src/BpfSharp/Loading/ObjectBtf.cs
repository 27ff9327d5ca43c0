using System.Buffers.Binary;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp;

/// <summary>
/// The loader's fix-ups of an object's BTF before the kernel sees it, as libbpf makes them: clang leaves
/// DATASEC sizes and variable offsets at zero in relocatable objects; they are the ELF sections' sizes and
/// the symbols' values. Extern DATASECs have no ELF section: the kernel refuses extern VARs and FUNCs in a
/// DATASEC, so <c>.kconfig</c> VARs become allocated globals at their offsets in the kconfig map, and every
/// <c>.ksyms</c> entry becomes a 4-byte allocated int VAR (one added VAR stands in for the kfuncs). A global
/// subprogram whose symbol is hidden becomes a static FUNC (see <see cref="MarkHiddenSubprogramsStatic"/>).
/// </summary>
internal static class ObjectBtf
{
    private const int KindInt = 1, KindVar = 14, TypeHeader = 12;

    public static byte[] FixUp(BtfSpec btf, ElfFile elf, IReadOnlyList<ObjectExtern> externs)
    {
        var blob = btf.Data.ToArray();
        int? intType = null, stubVar = null;
        var added = new List<byte[]>();
        int nextId = btf.Count;

        foreach (var datasec in btf.Types.OfType<BtfDataSec>())
        {
            int record = btf.RecordOffset(datasec.Id);
            if (datasec.Name == ".kconfig")
            {
                int size = 0;
                for (int k = 0; k < datasec.Variables.Length; k++)
                {
                    var ext = externs.FirstOrDefault(e => e.Kind == ExternKind.Kconfig && e.BtfTypeId == datasec.Variables[k].TypeId);
                    if (ext is null) continue;
                    WriteSecInfo(blob, record, k, ext.BtfTypeId, ext.Offset, ext.Size);
                    MakeAllocated(blob, btf, ext.BtfTypeId);
                    size = Math.Max(size, ext.Offset + ext.Size);
                }
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + 8), (uint)size);
                continue;
            }
            if (datasec.Name == ".ksyms")
            {
                for (int k = 0; k < datasec.Variables.Length; k++)
                {
                    int id = datasec.Variables[k].TypeId;
                    intType ??= FindInt(btf) ?? AddInt(added, nextId++);
                    if (btf[id] is BtfVar)
                    {
                        // struct btf_type { name_off, info, type } then the VAR's linkage.
                        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(btf.RecordOffset(id) + 8), (uint)intType);
                        MakeAllocated(blob, btf, id);
                    }
                    else
                    {
                        MakeKfuncDeclarationValid(blob, btf, id);
                        stubVar ??= AddVar(added, nextId++, NameOffset(blob, btf, id), intType.Value);
                        id = stubVar.Value;
                    }
                    WriteSecInfo(blob, record, k, id, k * 4, 4);
                }
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + 8), (uint)(datasec.Variables.Length * 4));
                continue;
            }
            var section = elf.FindSection(datasec.Name);
            if (section is null) continue;
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + 8), (uint)section.Size);
            for (int k = 0; k < datasec.Variables.Length; k++)
            {
                var vsi = datasec.Variables[k];
                if (btf[vsi.TypeId] is not BtfVar v) continue;
                var sym = elf.Symbols.FirstOrDefault(s => s.Name == v.Name && s.Section?.Index == section.Index);
                if (sym is null) continue;
                // struct btf_var_secinfo { type, offset, size } after the 12-byte type header.
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + TypeHeader + k * 12 + 4), (uint)sym.Value);
            }
            SortByOffset(blob, record, datasec.Variables.Length);
        }
        MarkHiddenSubprogramsStatic(blob, btf, elf);
        return added.Count == 0 ? blob : AppendTypes(blob, added);
    }

    /// <summary>
    /// A global subprogram whose symbol is <c>STV_HIDDEN</c> or <c>STV_INTERNAL</c> cannot be called from outside
    /// the object, so its BTF FUNC is made static: the verifier then checks it in each caller's context instead of
    /// alone with only its declared argument types (libbpf does the same; its <c>usdt.bpf.h</c> relies on it).
    /// </summary>
    private static void MarkHiddenSubprogramsStatic(byte[] blob, BtfSpec btf, ElfFile elf)
    {
        var hidden = elf.Symbols
            .Where(s => s.Type == ElfSymbolType.Function && s.Binding != ElfSymbolBinding.Local
                        && s.Visibility is ElfSymbolVisibility.Hidden or ElfSymbolVisibility.Internal
                        && s.Section?.Name == ".text")
            .Select(s => s.Name)
            .ToHashSet();
        if (hidden.Count == 0) return;
        foreach (var func in btf.Types.OfType<BtfFunc>())
        {
            if (func.Linkage != BtfLinkage.Global || !hidden.Contains(func.Name)) continue;
            int record = btf.RecordOffset(func.Id);
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(record + 4));
            // btf_type.info: the kind in bits 24-28, a FUNC's linkage in the vlen bits 0-15.
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + 4), (info & 0xffff0000) | (uint)BtfLinkage.Static);
        }
    }

    /// <summary>
    /// The kernel knows no extern FUNC linkage, and wants named parameters on a global function: declare the kfunc
    /// global and name its unnamed parameters after it.
    /// </summary>
    private static void MakeKfuncDeclarationValid(byte[] blob, BtfSpec btf, int funcId)
    {
        int record = btf.RecordOffset(funcId);
        uint info = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(record + 4));
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(record + 4), (info & 0xffff0000) | (uint)BtfLinkage.Global);
        if (btf[((BtfFunc)btf[funcId]).ProtoId] is not BtfFuncProto proto) return;
        uint name = NameOffset(blob, btf, funcId);
        int protoRecord = btf.RecordOffset(proto.Id);
        for (int k = 0; k < proto.Parameters.Length; k++)
        {
            var param = blob.AsSpan(protoRecord + TypeHeader + k * 8);
            if (BinaryPrimitives.ReadUInt32LittleEndian(param) == 0) BinaryPrimitives.WriteUInt32LittleEndian(param, name);
        }
    }

    /// <summary>
    /// The kernel refuses a DATASEC whose entries do not go up in offset ("Invalid offset"), and clang lists variables
    /// in its own order, not the section's: sort the <c>btf_var_secinfo</c> entries by the offsets just filled in.
    /// </summary>
    private static void SortByOffset(byte[] blob, int record, int count)
    {
        int start = record + TypeHeader;
        var sorted = Enumerable.Range(0, count)
            .Select(k => blob.AsSpan(start + k * 12, 12).ToArray())
            .OrderBy(e => BinaryPrimitives.ReadUInt32LittleEndian(e.AsSpan(4))) // stable: equal offsets keep clang's order
            .ToList();
        for (int k = 0; k < count; k++) sorted[k].CopyTo(blob, start + k * 12);
    }

    private static void WriteSecInfo(byte[] blob, int record, int k, int typeId, int offset, int size)
    {
        var entry = blob.AsSpan(record + TypeHeader + k * 12);
        BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)typeId);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)size);
    }

    private static void MakeAllocated(byte[] blob, BtfSpec btf, int varId) =>
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(btf.RecordOffset(varId) + TypeHeader), (uint)BtfLinkage.Global);

    private static uint NameOffset(byte[] blob, BtfSpec btf, int id) =>
        BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(btf.RecordOffset(id)));

    private static int? FindInt(BtfSpec btf) =>
        btf.Types.OfType<BtfInt>().FirstOrDefault(t => t.Size == 4 && t.Bits == 32 && t.BitOffset == 0)?.Id;

    private static int AddInt(List<byte[]> added, int id)
    {
        var record = new byte[TypeHeader + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)KindInt << 24);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (1u << 24) | 32); // signed, 32 bits
        added.Add(record);
        return id;
    }

    private static int AddVar(List<byte[]> added, int id, uint nameOffset, int typeId)
    {
        var record = new byte[TypeHeader + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(record, nameOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)KindVar << 24);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)typeId);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)BtfLinkage.Global);
        added.Add(record);
        return id;
    }

    /// <summary>Appends type records after the type section, moving the string section (its offsets are relative).</summary>
    private static byte[] AppendTypes(byte[] blob, List<byte[]> records)
    {
        // struct btf_header { magic, version, flags, hdr_len; type_off, type_len, str_off, str_len }
        int hdrLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4));
        int typeOff = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(8));
        int typeLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(12));
        int strOff = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(16));
        int extra = records.Sum(r => r.Length);
        int insertAt = hdrLen + typeOff + typeLen;
        var result = new byte[blob.Length + extra];
        blob.AsSpan(0, insertAt).CopyTo(result);
        int at = insertAt;
        foreach (var r in records)
        {
            r.CopyTo(result, at);
            at += r.Length;
        }
        blob.AsSpan(insertAt).CopyTo(result.AsSpan(at));
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(12), (uint)(typeLen + extra));
        if (strOff >= typeOff + typeLen) BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(16), (uint)(strOff + extra));
        return result;
    }
}
