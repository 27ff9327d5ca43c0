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
        using var obj = BpfObject.Open(Read(name), "fixture");
        Assert.NotEmpty(obj.Programs);
    }

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

    private static void Try(byte[] bytes)
    {
        try
        {
            using var obj = BpfObject.Open(bytes, "fuzz");
            // What parses must also describe itself without surprises.
            foreach (var p in obj.Programs.Values) _ = p.ToString();
            foreach (var m in obj.Maps.Values) _ = m.ToString();
        }
        catch (BpfException)
        {
        }
    }
}
