using System.Buffers.Binary;
using System.IO.Compression;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// The inputs of issue 17 that once killed, hung or bloated the process, one per cause, built from their
/// description. They are saved in Btf/Fixtures (checked to be exactly what this builds, so the two cannot drift;
/// BPFSHARP_REGENERATE_FIXTURES=1 rewrites them) and run by BtfBadInputTests and the tool's tests.
/// </summary>
internal static class BadInputReproducers
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Btf", "Fixtures");

    /// <summary>Raw BTF reproducers: file name and bytes (names ending .gz are stored compressed).</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Btf()
    {
        // The 85-byte class of file that killed `btf dump --format c`: PTR → CONST → PTR, named by a typedef.
        yield return ("ptr_const_ptr_cycle.btf", Blob(b => { b.Pointer(2); b.Const(1); b.Typedef("loop_t", 1); }));
        yield return ("typedef_ptr_cycle.btf", Blob(b => { b.Typedef("t", 2); b.Pointer(1); }));
        // 100,000 anonymous structs, each the only member of the one before (outermost first: pass 2 resolves them).
        yield return ("nested_anon_members_100000.btf.gz", Blob(b =>
        {
            const int n = 100_000;
            for (int i = 1; i <= n; i++) b.Struct(i == 1 ? "outer" : "", 4, ("", i + 1, 0));
            b.Int("int", 4, BtfIntEncoding.Signed);
        }));
        yield return ("struct_size_0x7fffffff.btf", Blob(b =>
        {
            int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
            b.Struct("huge", int.MaxValue, ("first", i32, 0), ("last", i32, 0x0FFF_FFF0 * 8));
        }));
        yield return ("member_offset_past_end.btf", Blob(b => { int i32 = b.Int("int", 4); b.Struct("s", 4, ("a", i32, 64)); }));
        yield return ("member_larger_than_union.btf", Blob(b => { int l = b.Int("long", 8); b.Union("u", 4, ("l", l, 0)); }));
        yield return ("union_member_off_zero.btf", Blob(b => { int i32 = b.Int("int", 4); b.Union("u", 8, ("a", i32, 32)); }));
        yield return ("struct_members_out_of_order.btf", Blob(b => { int i32 = b.Int("int", 4); b.Struct("s", 8, ("a", i32, 32), ("b", i32, 0)); }));
        yield return ("datasec_var_past_end.btf", Blob(b => { int i32 = b.Int("int", 4); int v = b.Var("v", i32); b.DataSec(".data", 4, (v, 8, 4)); }));
        yield return ("enum_12000_same_name.btf", Blob(b =>
            b.Enum("same", 4, false, Enumerable.Range(0, 12_000).Select(i => ("A", (long)i)).ToArray())));
        // Valid for the kernel (a loop through a prototype), but C cannot write the type.
        yield return ("ptr_proto_cycle.btf", Blob(b =>
        {
            int p = b.Pointer(2);
            b.FuncProto(0, false, ("self", p));
            b.Typedef("fn_t", p);
        }));
        yield return ("pointer_chain_100000.btf.gz", Blob(b =>
        {
            int i32 = b.Int("int", 4);
            int id = i32;
            for (int i = 0; i < 100_000; i++) id = b.Pointer(id);
            b.Typedef("deep_t", id);
        }));
        // Anonymous structs sharing one another twice per level: written inline, C text doubles per level.
        yield return ("anon_struct_dag.btf", Blob(b =>
        {
            int id = b.Struct("", 0);
            for (int i = 0; i < 60; i++) id = b.Struct("", 0, ("a", id, 0), ("b", id, 0));
            b.Struct("top", 0, ("x", id, 0));
        }));
        yield return ("proto_dag.btf", Blob(b =>
        {
            int i32 = b.Int("int", 4);
            int id = b.FuncProto(i32, false);
            for (int i = 0; i < 60; i++)
            {
                int p = b.Pointer(id);
                id = b.FuncProto(i32, false, ("a", p), ("b", p));
            }
            b.Typedef("fn_t", b.Pointer(id));
        }));
        yield return ("array_of_empty_struct.btf", Blob(b =>
        {
            int empty = b.Struct("empty", 0);
            int i32 = b.Int("int", 4);
            int arr = b.Array(empty, i32, int.MaxValue);
            b.Struct("holder", 0, ("many", arr, 0));
        }));
        yield return ("int_array_1gib.btf", Blob(b =>
        {
            int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
            int arr = b.Array(i32, i32, 0x1000_0000);
            b.Struct("big", 0x4000_0000, ("values", arr, 0));
        }));
    }

    /// <summary>Objects: a fixture of Objects/Fixtures with one thing broken. Needs the fixtures next to the tests.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Objects()
    {
        yield return ("ext_func_info_type_past_end.o", PatchExt("core_reloc.bpf.o", funcInfo: true, recordField: 4, 0xffff));
        yield return ("ext_func_info_insn_past_section.o", PatchExt("core_reloc.bpf.o", funcInfo: true, recordField: 0, 0x10_0000));
        yield return ("ext_core_access_string_past_end.o", PatchExt("core_reloc.bpf.o", funcInfo: false, recordField: 8, 0x0fff_ffff));
        yield return ("ext_core_type_past_end.o", PatchExt("core_reloc.bpf.o", funcInfo: false, recordField: 4, 0xffff));
        yield return ("ext_core_type_is_func.o", PatchExt("core_reloc.bpf.o", funcInfo: false, recordField: 4, uint.MaxValue));
        yield return ("duplicate_program_names.o", SameSymbolName("tail_calls.bpf.o", s => s.Type == ElfSymbolType.Function && s.Section?.Name != ".text"));
        yield return ("duplicate_extern_names.o", SameSymbolName("externs.bpf.o", s => s.IsUndefined && s.Name.Length > 0));
        yield return ("duplicate_map_names.o", DuplicateMapName("maps.bpf.o"));
        yield return ("datasec_var_of_unsized_type.o", UnsizedGlobal("globals.bpf.o"));
    }

    public static byte[] Read(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Directory, name));
        if (!name.EndsWith(".gz", StringComparison.Ordinal)) return bytes;
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var result = new MemoryStream();
        gz.CopyTo(result);
        return result.ToArray();
    }

    /// <summary>A reproducer as a plain file the tool can read (decompressed into <paramref name="dir"/> when stored .gz).</summary>
    public static string PlainFile(string name, string dir)
    {
        if (!name.EndsWith(".gz", StringComparison.Ordinal)) return Path.Combine(Directory, name);
        string path = Path.Combine(dir, name[..^3]);
        File.WriteAllBytes(path, Read(name));
        return path;
    }

    public static void Save(string name, byte[] bytes, string directory)
    {
        string path = Path.Combine(directory, name);
        if (!name.EndsWith(".gz", StringComparison.Ordinal))
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.SmallestSize);
        gz.Write(bytes);
    }

    private static byte[] Blob(Action<BtfBlobBuilder> build)
    {
        var b = new BtfBlobBuilder();
        build(b);
        return b.Build();
    }

    private static byte[] Fixture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", name));

    private static int SectionOffset(byte[] image, string section) =>
        (int)(ElfFile.Parse(image).FindSection(section) ?? throw new InvalidOperationException($"no {section}")).Offset;

    /// <summary>
    /// Writes a word of the first record of the .BTF.ext func info or CO-RE subsection; <see cref="uint.MaxValue"/>
    /// means "the id of a FUNC".
    /// </summary>
    private static byte[] PatchExt(string fixture, bool funcInfo, int recordField, uint value)
    {
        var image = Fixture(fixture);
        int ext = SectionOffset(image, ".BTF.ext");
        int hdrLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(ext + 4));
        int subOff = (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(ext + (funcInfo ? 8 : 24)));
        // Record size (4), then the first section's name offset and count (8), then its first record.
        int record = ext + hdrLen + subOff + 4 + 8;
        if (value == uint.MaxValue)
        {
            var btf = BtfSpec.Parse(image.AsSpan(SectionOffset(image, ".BTF"), (int)ElfFile.Parse(image).FindSection(".BTF")!.Size));
            value = (uint)btf.Types.First(t => t is BtfFunc).Id;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(record + recordField), value);
        return image;
    }

    /// <summary>Gives the second symbol that <paramref name="pick"/> selects the first one's name.</summary>
    private static byte[] SameSymbolName(string fixture, Func<ElfSymbol, bool> pick)
    {
        var image = Fixture(fixture);
        var elf = ElfFile.Parse(image);
        var picked = elf.Symbols.Where(pick).Take(2).ToArray();
        int symtab = (int)elf.FindSection(".symtab")!.Offset;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(symtab + picked[1].Index * 24), picked[0].NameOffset);
        return image;
    }

    /// <summary>Gives the second variable of the .maps DATASEC the first one's name.</summary>
    private static byte[] DuplicateMapName(string fixture)
    {
        var image = Fixture(fixture);
        int btfAt = SectionOffset(image, ".BTF");
        var spec = BtfSpec.Parse(image.AsSpan(btfAt, (int)ElfFile.Parse(image).FindSection(".BTF")!.Size));
        var vars = spec.Types.OfType<BtfDataSec>().First(d => d.Name == ".maps").Variables;
        uint firstName = BinaryPrimitives.ReadUInt32LittleEndian(spec.Data[spec.RecordOffset(vars[0].TypeId)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(btfAt + spec.RecordOffset(vars[1].TypeId)), firstName);
        return image;
    }

    /// <summary>Makes a global variable's type a function prototype, which has no size.</summary>
    private static byte[] UnsizedGlobal(string fixture)
    {
        var image = Fixture(fixture);
        int btfAt = SectionOffset(image, ".BTF");
        var spec = BtfSpec.Parse(image.AsSpan(btfAt, (int)ElfFile.Parse(image).FindSection(".BTF")!.Size));
        var v = spec.Types.OfType<BtfDataSec>().First(d => d.Name == ".data").Variables[0];
        int proto = spec.Types.First(t => t is BtfFuncProto).Id;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(btfAt + spec.RecordOffset(v.TypeId) + 8), (uint)proto);
        return image;
    }
}
