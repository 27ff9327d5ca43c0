using System.Globalization;
using System.Text.RegularExpressions;
using BpfSharp.Elf;
using BpfSharp.Tests.Elf;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

/// <summary>
/// Uprobe and USDT target resolution, with binutils' nm and readelf as the witnesses: the expected file offset is
/// computed from nm's symbol address and readelf's view of the executable PT_LOAD segment holding it.
/// </summary>
public partial class UprobeTargetTests
{
    [Fact]
    public void BashReadlineResolvesToTheOffsetNmAndReadelfGive()
    {
        Assert.SkipUnless(File.Exists(TracingTestSupport.Bash), "no /usr/bin/bash");
        ulong address = NmAddress(TracingTestSupport.Bash, "readline");
        UprobeTarget target = UprobeTarget.Resolve(TracingTestSupport.Bash, "readline");
        Assert.Equal(TracingTestSupport.Bash, target.BinaryPath);
        Assert.Equal("readline", target.Symbol);
        Assert.Equal(address, target.Address);
        Assert.Equal(ExpectedOffset(TracingTestSupport.Bash, address), target.FileOffset);

        // "bash" alone is found in PATH; an offset into the function moves the file offset by as much.
        Assert.Equal(target.FileOffset, UprobeTarget.Resolve("bash", "readline").FileOffset);
        UprobeTarget inside = UprobeTarget.Resolve(TracingTestSupport.Bash, "readline+0x4");
        Assert.Equal((4UL, target.FileOffset + 4), (inside.SymbolOffset, inside.FileOffset));
        Assert.Equal(target.FileOffset + 16, UprobeTarget.Resolve(TracingTestSupport.Bash, "readline+16").FileOffset);
    }

    [Fact]
    public void LibcMallocResolvesByLibraryNameToTheOffsetNmAndReadelfGive()
    {
        string libc = ElfTestFiles.SystemLibc();
        ulong address = NmAddress(libc, "malloc");
        // "libc.so.6" is found among this process's mappings: the very file the witness examined.
        UprobeTarget target = UprobeTarget.Resolve(Path.GetFileName(libc), "malloc");
        Assert.Equal(Path.GetFullPath(libc), Path.GetFullPath(target.BinaryPath));
        Assert.Equal(address, target.Address);
        Assert.Equal(ExpectedOffset(libc, address), target.FileOffset);
        Assert.Equal(target.BinaryPath, BinaryLocator.Resolve("libc", Environment.ProcessId));
    }

    [Fact]
    public void MissingSymbolNamesTheBinaryAndTheSymbol()
    {
        Assert.SkipUnless(File.Exists(TracingTestSupport.Bash), "no /usr/bin/bash");
        var e = Assert.Throws<BpfException>(() => UprobeTarget.Resolve(TracingTestSupport.Bash, "bpfsharp_no_such_function"));
        Assert.Contains(TracingTestSupport.Bash, e.Message, StringComparison.Ordinal);
        Assert.Contains("bpfsharp_no_such_function", e.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => UprobeTarget.Resolve("/nonexistent/binary", "main"));
        Assert.Throws<FileNotFoundException>(() => UprobeTarget.Resolve("libbpfsharp-none.so.1", "main"));
    }

    [Fact]
    public void PatternGivesOneTargetPerAddress()
    {
        string libc = ElfTestFiles.SystemLibc();
        IReadOnlyList<UprobeTarget> targets = UprobeTarget.ResolvePattern(libc, "mall*");
        Assert.Equal(targets.Select(t => t.Address).Distinct().Count(), targets.Count);
        Assert.Equal(targets.OrderBy(t => t.FileOffset).Select(t => t.FileOffset), targets.Select(t => t.FileOffset));
        Assert.Contains(targets, t => t.Symbol == "malloc" && t.Address == NmAddress(libc, "malloc"));
        Assert.All(targets, t => Assert.StartsWith("mall", t.Symbol, StringComparison.Ordinal));

        // The witness: every address nm gives a function named mall*, once.
        var nmAddresses = Nm(libc).Where(s => s.Kind is 'T' or 't' or 'W' or 'i' && s.Name.StartsWith("mall", StringComparison.Ordinal))
            .Select(s => s.Address).Distinct().Order();
        Assert.Equal(nmAddresses, targets.Select(t => t.Address).Order());

        // Aliases at one address: libc's *alloc functions include some (e.g. __libc_malloc and malloc).
        IReadOnlyList<UprobeTarget> allocs = UprobeTarget.ResolvePattern(libc, "*alloc");
        Assert.Equal(allocs.Select(t => t.Address).Distinct().Count(), allocs.Count);
        Assert.Throws<BpfException>(() => UprobeTarget.ResolvePattern(libc, "bpfsharp_none_*"));
    }

    [Fact]
    public void UsdtProbeResolvesToItsSiteAndSemaphoreOffsets()
    {
        string fixture = ElfTestFiles.Fixture("usdt");
        UsdtTarget start = Assert.Single(UsdtTarget.Resolve(fixture, "demo", "work_start"));
        // readelf -n: Location 0x1130, Semaphore 0x4010; the semaphore lives in .probes.
        Assert.Equal(ExpectedOffset(fixture, 0x1130), start.FileOffset);
        Assert.Equal(SectionOffset(fixture, ".probes"), start.SemaphoreOffset);
        Assert.Equal("-4@%edi", start.Arguments);
        Assert.Equal(0x90, File.ReadAllBytes(fixture)[start.FileOffset]); // the nop the uprobe replaces

        UsdtTarget done = Assert.Single(UsdtTarget.Resolve(fixture, "demo", "work_done"));
        Assert.Equal(0UL, done.SemaphoreOffset);
        var e = Assert.Throws<BpfException>(() => UsdtTarget.Resolve(fixture, "demo", "no_such_probe"));
        Assert.Contains("demo:no_such_probe", e.Message, StringComparison.Ordinal);
        Assert.Contains(fixture, e.Message, StringComparison.Ordinal);
    }

    private sealed record NmSymbol(string Name, ulong Address, char Kind);

    private static List<NmSymbol> Nm(string path) =>
        ElfTestFiles.RunWitness("nm", "-D", "--defined-only", path).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 3))
            .Where(p => p.Length == 3)
            .Select(p => new NmSymbol(p[2].Split('@')[0], Hex(p[0]), p[1][0]))
            .ToList();

    // The address of the default version of a function (nm -D: "name" or "name@@VERSION").
    private static ulong NmAddress(string path, string name)
    {
        foreach (string line in ElfTestFiles.RunWitness("nm", "-D", "--defined-only", path).Split('\n'))
        {
            string[] parts = line.Split(' ', 3);
            if (parts.Length == 3 && (parts[2] == name || parts[2].StartsWith(name + "@@", StringComparison.Ordinal)))
                return Hex(parts[0]);
        }
        Assert.Skip($"nm -D lists no {name} in {path}");
        return 0;
    }

    // "  LOAD  0x02f000 0x000000000002f000 0x000000000002f000 0x0c0b9d 0x0c0b9d R E 0x1000"
    [GeneratedRegex(@"^\s+LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x[0-9a-f]+ (.{3}) 0x[0-9a-f]+$")]
    private static partial Regex LoadLine();

    private static ulong ExpectedOffset(string path, ulong address)
    {
        foreach (string line in ElfTestFiles.RunWitness("readelf", "-lW", path).Split('\n'))
        {
            Match m = LoadLine().Match(line);
            if (!m.Success || !m.Groups[4].Value.Contains('E'))
                continue;
            ulong offset = Hex(m.Groups[1].Value), vaddr = Hex(m.Groups[2].Value), size = Hex(m.Groups[3].Value);
            if (address >= vaddr && address < vaddr + size)
                return address - vaddr + offset;
        }
        Assert.Fail($"readelf shows no executable segment holding 0x{address:x} in {path}");
        return 0;
    }

    // "  [25] .probes  PROGBITS  0000000000004010 003010 000002 00  WA  0   0  2"
    private static ulong SectionOffset(string path, string section)
    {
        foreach (string line in ElfTestFiles.RunWitness("readelf", "-SW", path).Split('\n'))
        {
            Match m = Regex.Match(line, @"\]\s+" + Regex.Escape(section) + @"\s+\w+\s+[0-9a-f]+ ([0-9a-f]+) ");
            if (m.Success)
                return Hex(m.Groups[1].Value);
        }
        Assert.Fail($"readelf shows no section {section} in {path}");
        return 0;
    }

    private static ulong Hex(string text) => ulong.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
