using System.Diagnostics;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// Thousands of truncated and mutated copies of every fixture given to BpfObject.Open: only
/// BpfException-derived errors may come out (never another exception type, never a crash or a hang).
/// Open touches no kernel, so this needs no root.
/// </summary>
public class ObjectFuzzTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures"), "*.bpf.o").Order())
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", name));

    [Fact]
    public void ThereAreFixtures() => Assert.True(Fixtures().Count >= 5, $"{Fixtures().Count} fixtures");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TheFixtureItselfOpens(string name)
    {
        if (RefusedAtOpen.Contains(name))
        {
            Assert.Throws<BpfFormatException>(() => BpfObject.Open(Read(name), "fixture"));
            return;
        }
        using var obj = BpfObject.Open(Read(name), "fixture");
        Assert.NotEmpty(obj.Programs);
    }

    /// <summary>Fixtures made to be refused at open, as libbpf refuses them (Fixtures/README.md).</summary>
    private static readonly HashSet<string> RefusedAtOpen = ["pinning_invalid.bpf.o"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TruncationsAndMutations_GiveOnlyBpfExceptions(string name)
    {
        var original = Read(name);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7fffffff ^ 12345);
        var clock = Stopwatch.StartNew();
        int cases = 0;

        // Truncations at a spread of lengths, the header's neighbourhood densely.
        var lengths = Enumerable.Range(0, Math.Min(original.Length, 256))
            .Concat(Enumerable.Range(0, 300).Select(_ => random.Next(original.Length)));
        foreach (int length in lengths)
        {
            Try(original.AsSpan(0, length).ToArray());
            cases++;
        }

        // Random byte flips, one to eight at a time, and extreme values written over 4- and 8-byte fields.
        for (int i = 0; i < 1500 && clock.Elapsed < TimeSpan.FromSeconds(15); i++)
        {
            var copy = (byte[])original.Clone();
            int flips = 1 + random.Next(8);
            for (int f = 0; f < flips; f++) copy[random.Next(copy.Length)] ^= (byte)(1 + random.Next(255));
            if (i % 3 == 0)
            {
                int at = random.Next(copy.Length - 8) & ~3;
                var extreme = new[] { 0u, 0xffffffffu, 0x7fffffffu, 0x80000000u, 1u }[random.Next(5)];
                BitConverter.TryWriteBytes(copy.AsSpan(at), extreme);
            }
            Try(copy);
            cases++;
        }
        Assert.True(cases > 1000, $"{cases} cases");
    }

    /// <summary>
    /// Structure-aware: every field of every .BTF.ext record (func info, line info, CO-RE relocation) and every
    /// section header of the subsections, set to values that mean something (ids of the last type, of a FUNC,
    /// past the end; string offsets at and past the end; instruction offsets off the grid and past the section).
    /// Open checks each record: only BpfFormatException, never a .NET exception from the loader's lookups.
    /// </summary>
    [Theory]
    [InlineData("core_reloc.bpf.o")]
    [InlineData("subprogs.bpf.o")]
    public void BtfExtRecordFieldsSetToMeaningfulValues(string name)
    {
        var original = Read(name);
        var elf = BpfSharp.Elf.ElfFile.Parse(original);
        var ext = elf.FindSection(".BTF.ext")!;
        var btf = BpfSharp.Btf.BtfSpec.Parse(elf.FindSection(".BTF")!.Data.Span);
        int at = (int)ext.Offset;
        int hdrLen = BitConverter.ToInt32(original, at + 4);
        uint funcId = (uint)btf.Types.First(t => t is BpfSharp.Btf.BtfFunc).Id;
        uint[] values = [0, 1, 4, 8, 0xffff, (uint)btf.Count - 1, (uint)btf.Count, funcId, (uint)btf.StringsEnd - 1,
            (uint)btf.StringsEnd, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 13];
        int cases = 0;
        // func info (record 8 bytes at header offset 8), line info (16 at 16), CO-RE (16 at 24).
        foreach (int field in new[] { 8, 16, 24 })
        {
            int subOff = BitConverter.ToInt32(original, at + field), subLen = BitConverter.ToInt32(original, at + field + 4);
            if (subLen == 0) continue;
            int sub = at + hdrLen + subOff;
            int recordSize = BitConverter.ToInt32(original, sub);
            // Every word of the subsection after its record size: section headers and records alike.
            for (int word = sub; word < sub + subLen; word += 4)
                foreach (uint v in values)
                {
                    var copy = (byte[])original.Clone();
                    BitConverter.TryWriteBytes(copy.AsSpan(word), v);
                    Try(copy, strict: true);
                    cases++;
                }
            Assert.True(recordSize > 0);
        }
        Assert.True(cases > 100, $"{cases} cases");
    }

    /// <summary>Opens; <paramref name="strict"/>: the error must come from a check, not from Open's catch-all.</summary>
    private static void Try(byte[] bytes, bool strict = false)
    {
        try
        {
            using var obj = BpfObject.Open(bytes, "fuzz");
            // What parses must also describe itself without surprises.
            foreach (var p in obj.Programs.Values) _ = p.ToString();
            foreach (var m in obj.Maps.Values) _ = m.ToString();
        }
        catch (BpfException e)
        {
            if (strict) Assert.True(e.InnerException is null, $"caught by Open's catch-all: {e.InnerException}");
        }
    }
}
