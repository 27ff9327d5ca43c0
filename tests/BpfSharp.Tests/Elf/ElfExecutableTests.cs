using System.Globalization;
using System.Text.RegularExpressions;
using BpfSharp.Elf;
using Xunit;

namespace BpfSharp.Tests.Elf;

/// <summary>
/// Uprobe symbol resolution in the system's executables and libraries, with binutils' readelf and nm as the
/// independent witnesses of symbol addresses and segments.
/// </summary>
public partial class ElfExecutableTests
{
    [Fact]
    public void MallocInLibcResolvesToTheOffsetTheSegmentsGive()
    {
        string libc = ElfTestFiles.SystemLibc();
        ElfFile elf = ElfFile.Open(libc);
        Assert.Equal(ElfType.SharedObject, elf.Header.Type);
        Assert.True(elf.Header.Machine is ElfMachine.Amd64 or ElfMachine.Arm64);

        Assert.True(elf.TryFindFunction("malloc", out ElfSymbol? malloc));
        var nm = NmDefined(libc, dynamic: true);
        var key = nm.Keys.Single(k => k.Item1 == "malloc" && (k.Item2.Length == 0 || k.Item2.StartsWith("@@", StringComparison.Ordinal)));
        Assert.Equal(nm[key].Address, malloc.Value);
        Assert.Equal(ExpectedOffset(libc, malloc.Value), elf.VirtualAddressToFileOffset(malloc.Value));
    }

    [Fact]
    public void ReadlineInBashResolvesToTheOffsetTheSegmentsGive()
    {
        const string bash = "/usr/bin/bash";
        Assert.SkipUnless(File.Exists(bash), "no /usr/bin/bash");
        ElfFile elf = ElfFile.Open(bash);
        Assert.True(elf.Header.Type is ElfType.Executable or ElfType.SharedObject);

        Dictionary<(string, string), (ulong Address, char Kind)> nm = NmDefined(bash, dynamic: true);
        Assert.SkipUnless(nm.ContainsKey(("readline", "")), "this bash does not export readline");
        Assert.True(elf.TryFindFunction("readline", out ElfSymbol? readline));
        Assert.Equal(nm[("readline", "")].Address, readline.Value);
        Assert.Equal(ExpectedOffset(bash, readline.Value), elf.VirtualAddressToFileOffset(readline.Value));
    }

    [Fact]
    public void EveryDefinedDynamicSymbolOfLibcMatchesNm()
    {
        string libc = ElfTestFiles.SystemLibc();
        ElfFile elf = ElfFile.Open(libc);
        Dictionary<(string, string), (ulong Address, char Kind)> nm = NmDefined(libc, dynamic: true);
        int checkedCount = 0;
        foreach (ElfSymbol s in elf.DynamicSymbols)
        {
            if (s.IsUndefined || s.Index == 0 || s.Type == ElfSymbolType.Section)
                continue;
            // nm shows a version's own definition symbol (GLIBC_2.34, absolute) without a suffix.
            bool versionDefinition = s.IsAbsolute && s.Name == s.Version;
            string marker = s.Version is null || versionDefinition ? "" : s.IsVersionHidden ? "@" : "@@";
            string suffix = marker.Length == 0 ? "" : marker + s.Version;
            Assert.True(nm.TryGetValue((s.Name, suffix), out var witness), $"nm -D does not list {s.Name}{suffix}");
            Assert.Equal(witness.Address, s.Value);
            checkedCount++;
        }
        Assert.Equal(nm.Count, checkedCount);
    }

    [Fact]
    public void PlainNamesPreferTheDefaultVersion()
    {
        string libc = ElfTestFiles.SystemLibc();
        ElfFile elf = ElfFile.Open(libc);
        Dictionary<(string, string), (ulong Address, char Kind)> nm = NmDefined(libc, dynamic: true);
        // A function exported in two versions (memcpy, realpath...) resolves to the default (@@) one.
        var twoVersions = nm.Keys.Where(k => k.Item2.StartsWith("@@", StringComparison.Ordinal))
            .Select(k => k.Item1)
            .Where(n => nm.Keys.Any(k => k.Item1 == n && k.Item2.StartsWith('@') && !k.Item2.StartsWith("@@", StringComparison.Ordinal)))
            .Where(n => elf.DynamicSymbols.Any(s => s.Name == n && s.IsFunction))
            .ToList();
        Assert.SkipWhen(twoVersions.Count == 0, "this libc exports no function in two versions");
        foreach (string name in twoVersions.Take(20))
        {
            var defaultKey = nm.Keys.Single(k => k.Item1 == name && k.Item2.StartsWith("@@", StringComparison.Ordinal));
            Assert.True(elf.TryFindFunction(name, out ElfSymbol? symbol));
            Assert.Equal(nm[defaultKey].Address, symbol.Value);
            Assert.False(symbol.IsVersionHidden);

            var hiddenKey = nm.Keys.First(k => k.Item1 == name && !k.Item2.StartsWith("@@", StringComparison.Ordinal));
            Assert.True(elf.TryFindFunction(name + hiddenKey.Item2, out ElfSymbol? old));
            Assert.Equal(nm[hiddenKey].Address, old.Value);
            Assert.True(old.IsVersionHidden);
            Assert.False(elf.TryFindFunction(name + "@" + hiddenKey.Item2, out _)); // name@@VER of a hidden version
        }
    }

    [Fact]
    public void GlobMatchesTheSameFunctionsAsNm()
    {
        string libc = ElfTestFiles.SystemLibc();
        ElfFile elf = ElfFile.Open(libc);
        var expected = NmDefined(libc, dynamic: true)
            .Where(p => p.Value.Kind is 'T' or 't' or 'W' or 'i' && p.Key.Item1.StartsWith("mall", StringComparison.Ordinal))
            .Select(p => p.Key.Item1)
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, elf.FindFunctions("mall*").Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Contains(elf.FindFunctions("*alloc"), s => s.Name == "calloc");
        Assert.Contains(elf.FindFunctions("m?lloc"), s => s.Name == "malloc");
    }

    [Fact]
    public void FixtureExecutableSymbolsAndSegmentsMatchReadelf()
    {
        string path = ElfTestFiles.Fixture("usdt");
        ElfFile elf = ElfFile.Open(path);
        Assert.Equal(ElfType.SharedObject, elf.Header.Type);
        Assert.Equal(ElfMachine.Amd64, elf.Header.Machine);

        List<Segment> witness = Segments(path);
        Assert.Equal(witness.Count, elf.ProgramHeaders.Count);
        for (int i = 0; i < witness.Count; i++)
        {
            ElfProgramHeader p = elf.ProgramHeaders[i];
            Assert.Equal(witness[i].Offset, p.Offset);
            Assert.Equal(witness[i].VirtualAddress, p.VirtualAddress);
            Assert.Equal(witness[i].FileSize, p.FileSize);
            Assert.Equal(witness[i].MemorySize, p.MemorySize);
            Assert.Equal(witness[i].Executable, p.IsExecutable);
        }

        // Every function the static symbol table defines, checked against nm.
        Dictionary<(string, string), (ulong Address, char Kind)> nm = NmDefined(path, dynamic: false);
        Assert.True(elf.TryFindFunction("demo_work", out ElfSymbol? work));
        Assert.Equal(nm[("demo_work", "")].Address, work.Value);
        Assert.Equal(ExpectedOffset(path, work.Value), elf.VirtualAddressToFileOffset(work.Value));
        Assert.True(elf.TryFindFunction("main", out ElfSymbol? main));
        Assert.Equal(ExpectedOffset(path, main.Value), elf.VirtualAddressToFileOffset(main.Value));

        // The executable imports versioned symbols from libc: versions come from .gnu.version_r.
        Assert.Contains(elf.DynamicSymbols, s => s.IsUndefined && s.Version is not null && s.Version.StartsWith("GLIBC_", StringComparison.Ordinal));
        Assert.Throws<BpfException>(() => elf.VirtualAddressToFileOffset(0xdead_0000_0000));
    }

    [Fact]
    public void UsdtNotesOfTheFixtureMatchReadelf()
    {
        string path = ElfTestFiles.Fixture("usdt");
        ElfFile elf = ElfFile.Open(path);
        List<WitnessProbe> witness = Probes(path);
        Assert.Equal(2, witness.Count);
        Assert.Equal(witness.Count, elf.UsdtProbes.Count);
        for (int i = 0; i < witness.Count; i++)
        {
            UsdtProbe p = elf.UsdtProbes[i];
            Assert.Equal(witness[i].Provider, p.Provider);
            Assert.Equal(witness[i].Name, p.Name);
            Assert.Equal(witness[i].Location, p.Address);
            Assert.Equal(witness[i].Base, p.Base);
            Assert.Equal(witness[i].Semaphore, p.SemaphoreAddress);
            Assert.Equal(witness[i].Arguments, p.Arguments);
        }

        UsdtProbe start = elf.UsdtProbes[0];
        Assert.Equal(("demo", "work_start", "-4@%edi"), (start.Provider, start.Name, start.Arguments));
        // The probe site is the nop (0x90) inside demo_work.
        ulong offset = elf.VirtualAddressToFileOffset(start.Address);
        Assert.Equal(0x90, elf.Image.Span[(int)offset]);
        Assert.True(elf.TryFindFunction("demo_work", out ElfSymbol? work));
        Assert.InRange(start.Address, work.Value, work.Value + work.Size - 1);
        // The semaphore lives in .probes, a data segment: only the any-segment conversion finds it.
        Assert.False(elf.TryVirtualAddressToFileOffset(start.SemaphoreAddress, out _));
        Assert.True(elf.TryVirtualAddressToFileOffset(start.SemaphoreAddress, out ulong semaphoreOffset, executableOnly: false));
        Assert.Equal(elf.FindSection(".probes")!.Offset, semaphoreOffset);
        Assert.Equal(0UL, elf.UsdtProbes[1].SemaphoreAddress);
        Assert.Equal("", elf.UsdtProbes[1].Arguments);
    }

    [Fact]
    public void UsdtNotesOfSystemBinariesMatchReadelf()
    {
        // Whatever system binaries carry stapsdt notes here (libstdc++, gcc, libc on some distributions).
        string[] candidates = ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/bin/gcc", ElfTestFiles.SystemLibc()];
        int compared = 0;
        foreach (string path in candidates.Where(File.Exists).Distinct())
        {
            ElfFile elf = ElfFile.Open(path);
            List<WitnessProbe> witness = Probes(path);
            Assert.Equal(witness.Count, elf.UsdtProbes.Count);
            for (int i = 0; i < witness.Count; i++)
            {
                Assert.Equal(witness[i].Provider, elf.UsdtProbes[i].Provider);
                Assert.Equal(witness[i].Name, elf.UsdtProbes[i].Name);
                Assert.Equal(witness[i].Location, elf.UsdtProbes[i].Address);
                Assert.Equal(witness[i].Semaphore, elf.UsdtProbes[i].SemaphoreAddress);
                Assert.Equal(witness[i].Arguments, elf.UsdtProbes[i].Arguments);
                elf.VirtualAddressToFileOffset(elf.UsdtProbes[i].Address);
            }
            compared += witness.Count;
        }
        Assert.SkipWhen(compared == 0, "no system binary with USDT notes");
    }

    private sealed record Segment(string Type, ulong Offset, ulong VirtualAddress, ulong FileSize, ulong MemorySize, bool Executable);

    private sealed record WitnessProbe(string Provider, string Name, ulong Location, ulong Base, ulong Semaphore, string Arguments);

    // "  LOAD  0x02f000 0x000000000002f000 0x000000000002f000 0x0c0b9d 0x0c0b9d R E 0x1000"
    [GeneratedRegex(@"^\s+(\w+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) 0x[0-9a-f]+$")]
    private static partial Regex SegmentLine();

    private static List<Segment> Segments(string path)
    {
        var segments = new List<Segment>();
        foreach (string line in ElfTestFiles.RunWitness("readelf", "-lW", path).Split('\n'))
        {
            Match m = SegmentLine().Match(line);
            if (m.Success)
                segments.Add(new Segment(m.Groups[1].Value, Hex(m.Groups[2].Value), Hex(m.Groups[3].Value), Hex(m.Groups[4].Value), Hex(m.Groups[5].Value), m.Groups[6].Value.Contains('E')));
        }
        return segments;
    }

    // The file offset computed from readelf's view of the segments: the executable PT_LOAD holding the address.
    private static ulong ExpectedOffset(string path, ulong address)
    {
        Segment load = Segments(path).Single(s => s.Type == "LOAD" && s.Executable && address >= s.VirtualAddress && address < s.VirtualAddress + s.FileSize);
        return address - load.VirtualAddress + load.Offset;
    }

    // Defined symbols as nm lists them: (name, "@@VER" / "@VER" / "") -> (address, kind letter).
    private static Dictionary<(string, string), (ulong Address, char Kind)> NmDefined(string path, bool dynamic)
    {
        var result = new Dictionary<(string, string), (ulong, char)>();
        string output = dynamic ? ElfTestFiles.RunWitness("nm", "-D", "--defined-only", path) : ElfTestFiles.RunWitness("nm", "--defined-only", path);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ', 3);
            if (parts.Length != 3)
                continue;
            string full = parts[2];
            int at = full.IndexOf('@');
            (string name, string version) = at < 0 ? (full, "") : (full[..at], full[at..]);
            result.TryAdd((name, version), (Hex(parts[0]), parts[1][0]));
        }
        return result;
    }

    private static List<WitnessProbe> Probes(string path)
    {
        var probes = new List<WitnessProbe>();
        string[] lines = ElfTestFiles.RunWitness("readelf", "-nW", path).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int provider = lines[i].IndexOf("Provider: ", StringComparison.Ordinal);
            if (!lines[i].TrimStart().StartsWith("stapsdt", StringComparison.Ordinal) || provider < 0)
                continue;
            string name = lines[i + 1].Trim()["Name: ".Length..];
            Match loc = Regex.Match(lines[i + 2], @"Location: 0x([0-9a-f]+), Base: 0x([0-9a-f]+), Semaphore: 0x([0-9a-f]+)");
            string args = lines[i + 3].TrimStart();
            args = args.StartsWith("Arguments:", StringComparison.Ordinal) ? args["Arguments:".Length..].Trim() : "";
            probes.Add(new WitnessProbe(lines[i][(provider + "Provider: ".Length)..].Trim(), name,
                Hex(loc.Groups[1].Value), Hex(loc.Groups[2].Value), Hex(loc.Groups[3].Value), args));
        }
        return probes;
    }

    private static ulong Hex(string text) => ulong.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
