using System.Diagnostics;
using BpfSharp.Elf;
using Xunit;

namespace BpfSharp.Tests.Elf;

/// <summary>
/// Deterministic mutations of every fixture: truncations, random byte changes, and header, section, symbol,
/// relocation and segment fields set to extreme values. Whatever the damage, the reader either decodes the file or
/// throws <see cref="BpfFormatException"/>; any other exception is a bug.
/// </summary>
public class ElfFuzzTests
{
    private const int RandomMutations = 3000;
    // A hang guard: the whole run takes about a second per fixture on an idle machine.
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("programs.bpf.o")]
    [InlineData("externs.bpf.o")]
    [InlineData("usdt.o")]
    [InlineData("usdt")]
    public void TruncationAtEveryLength(string fixture)
    {
        byte[] original = File.ReadAllBytes(ElfTestFiles.Fixture(fixture));
        var run = new Run(fixture);
        for (int length = 0; length < original.Length; length++)
            run.Check($"truncated to {length}", original.AsMemory(0, length));
        // Zeroing the tail instead keeps the header tables reachable while their targets vanish.
        for (int length = 0; length < original.Length; length += 7)
        {
            byte[] bytes = original.ToArray();
            Array.Clear(bytes, length, bytes.Length - length);
            run.Check($"zeroed from {length}", bytes);
        }
        run.AssertClean();
    }

    [Theory]
    [InlineData("programs.bpf.o", 1)]
    [InlineData("externs.bpf.o", 2)]
    [InlineData("usdt.o", 3)]
    [InlineData("usdt", 4)]
    public void RandomByteChanges(string fixture, int seed)
    {
        byte[] original = File.ReadAllBytes(ElfTestFiles.Fixture(fixture));
        ElfFile elf = ElfFile.Parse(original.ToArray());
        // Half the changes land in the structures (headers, section headers, symbols, relocations, notes),
        // where they do the most damage; the rest anywhere.
        var hot = new List<(int Start, int Length)>
        {
            (0, 64),
            ((int)elf.Header.SectionHeaderOffset, elf.Sections.Count * 64),
        };
        if (elf.Header.ProgramHeaderCount > 0)
            hot.Add(((int)elf.Header.ProgramHeaderOffset, elf.Header.ProgramHeaderCount * 56));
        foreach (ElfSection s in elf.Sections)
        {
            if (s.Type is ElfSectionType.SymbolTable or ElfSectionType.DynamicSymbolTable or ElfSectionType.Rel or ElfSectionType.Rela
                or ElfSectionType.Note or ElfSectionType.GnuVersionSymbols or ElfSectionType.GnuVersionNeeds or ElfSectionType.StringTable
                && s.Size > 0)
                hot.Add(((int)s.Offset, (int)s.Size));
        }

        var random = new Random(seed);
        var run = new Run(fixture);
        for (int i = 0; i < RandomMutations; i++)
        {
            byte[] bytes = original.ToArray();
            int changes = 1 + random.Next(4);
            for (int c = 0; c < changes; c++)
            {
                int at;
                if (random.Next(2) == 0)
                {
                    (int start, int length) = hot[random.Next(hot.Count)];
                    at = start + random.Next(length);
                }
                else
                {
                    at = random.Next(bytes.Length);
                }
                bytes[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                    _ => random.Next(2) == 0 ? (byte)0 : (byte)0xff,
                };
            }
            run.Check($"random change #{i} (seed {seed})", bytes);
        }
        run.AssertClean();
    }

    [Theory]
    [InlineData("programs.bpf.o")]
    [InlineData("externs.bpf.o")]
    [InlineData("usdt.o")]
    [InlineData("usdt")]
    public void FieldsSetToExtremeValues(string fixture)
    {
        byte[] original = File.ReadAllBytes(ElfTestFiles.Fixture(fixture));
        ElfFile elf = ElfFile.Parse(original.ToArray());
        ulong[] values = ElfMutation.ExtremeValues(original.Length);
        var run = new Run(fixture);

        void Each(string record, int recordOffset, ElfMutation.Field[] fields, int recordSize)
        {
            foreach (ElfMutation.Field field in fields)
            {
                if (field.Offset + field.Size > recordSize)
                    continue;
                foreach (ulong value in values)
                {
                    byte[] bytes = original.ToArray();
                    ElfMutation.Write(bytes, recordOffset + field.Offset, field.Size, value);
                    run.Check($"{record} {field.Name} = 0x{value:x}", bytes);
                }
            }
        }

        Each("ELF header", 0, ElfMutation.HeaderFields, 64);
        for (int i = 0; i < elf.Sections.Count; i++)
            Each($"section {i} ({elf.Sections[i].Name})", ElfMutation.SectionHeaderOffset(elf, i), ElfMutation.SectionFields, 64);
        for (int i = 0; i < elf.ProgramHeaders.Count; i++)
            Each($"program header {i}", ElfMutation.ProgramHeaderOffset(elf, i), ElfMutation.ProgramHeaderFields, 56);
        foreach (ElfSection? table in new[] { elf.SymbolTableSection, elf.DynamicSymbolTableSection })
        {
            if (table is null)
                continue;
            IReadOnlyList<ElfSymbol> symbols = elf.GetSymbols(table);
            for (int i = 0; i < Math.Min(symbols.Count, 40); i++)
                Each($"{table.Name} symbol {i}", (int)table.Offset + i * 24, ElfMutation.SymbolFields, 24);
        }
        foreach (ElfRelocationTable table in elf.RelocationTables)
        {
            int size = table.HasAddends ? 24 : 16;
            for (int i = 0; i < Math.Min(table.Entries.Count, 6); i++)
                Each($"{table.Section.Name} entry {i}", (int)table.Section.Offset + i * size, ElfMutation.RelocationFields, size);
        }
        foreach (ElfSection notes in elf.Sections.Where(s => s.Type == ElfSectionType.Note))
        {
            // The first note's header words: name size, descriptor size, type.
            var noteFields = new ElfMutation.Field[] { new(0, 4, "namesz"), new(4, 4, "descsz"), new(8, 4, "type") };
            Each($"{notes.Name} note 0", (int)notes.Offset, noteFields, 12);
        }
        run.AssertClean();
    }

    [Fact]
    public void SystemLibcSurvivesSectionHeaderDamage()
    {
        // A large real library: corrupt the fields of its symbol-related sections.
        string path = ElfTestFiles.SystemLibc();
        byte[] original = File.ReadAllBytes(path);
        ElfFile elf = ElfFile.Parse(original.ToArray());
        ulong[] values = [0, 1, 2, 0xffff_ffff, ulong.MaxValue, (ulong)original.Length];
        var run = new Run(path);
        foreach (ElfSection s in elf.Sections.Where(s => s.Type is ElfSectionType.DynamicSymbolTable or ElfSectionType.GnuVersionSymbols
                     or ElfSectionType.GnuVersionDefinitions or ElfSectionType.GnuVersionNeeds or ElfSectionType.StringTable or ElfSectionType.Rela))
        {
            foreach (ElfMutation.Field field in ElfMutation.SectionFields)
            {
                foreach (ulong value in values)
                {
                    byte[] bytes = (byte[])original.Clone();
                    ElfMutation.Write(bytes, ElfMutation.SectionHeaderOffset(elf, s.Index) + field.Offset, field.Size, value);
                    run.Check($"section {s.Index} ({s.Name}) {field.Name} = 0x{value:x}", bytes);
                }
            }
        }
        run.AssertClean();
    }

    // Parses each mutated image, reads everything, and collects exceptions other than BpfFormatException.
    private sealed class Run(string fixture)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<string> _failures = [];
        private int _cases;
        private int _rejected;

        public void Check(string mutation, ReadOnlyMemory<byte> image)
        {
            _cases++;
            try
            {
                ElfMutation.ReadEverything(ElfFile.Parse(image, "fuzz"));
            }
            catch (BpfFormatException e)
            {
                _rejected++;
                Assert.StartsWith("ELF fuzz: ", e.Message);
            }
            catch (Exception e)
            {
                if (_failures.Count < 10)
                    _failures.Add($"{mutation}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            Assert.True(_clock.Elapsed < TimeLimit, $"{fixture}: mutations took longer than {TimeLimit} (at {mutation})");
        }

        public void AssertClean()
        {
            Assert.True(_failures.Count == 0, $"{fixture}: {_failures.Count}+ of {_cases} mutations escaped as other exceptions:\n" + string.Join("\n\n", _failures));
            Assert.True(_rejected > 0, "no mutation was rejected: the mutations do not reach the parser");
            TestContext.Current.SendDiagnosticMessage($"{fixture}: {_cases} mutations, {_rejected} rejected, {_clock.ElapsedMilliseconds} ms");
        }
    }
}
