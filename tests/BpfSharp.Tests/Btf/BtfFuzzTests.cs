using System.Buffers.Binary;
using System.Diagnostics;
using BpfSharp.Btf;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Truncated and mutated blobs: parsing either succeeds or throws <see cref="BpfFormatException"/>, never anything
/// else, and a spec that parses can be walked without any exception. Deterministic (fixed seeds).
/// </summary>
public sealed class BtfFuzzTests
{
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

    /// <summary>Parses; a format error is fine, any other exception fails the test (xunit reports it).</summary>
    internal static BtfSpec? ParseOrFormatError(byte[] blob, BtfSpec? baseSpec = null, int exerciseLimit = int.MaxValue)
    {
        BtfSpec spec;
        try
        {
            spec = BtfSpec.Parse(blob, baseSpec);
        }
        catch (BpfFormatException e)
        {
            Assert.Equal("BTF", e.Operation);
            return null;
        }
        Exercise(spec, exerciseLimit);
        return spec;
    }

    /// <summary>Touches everything a caller could reach on a spec that parsed.</summary>
    internal static void Exercise(BtfSpec spec, int limit = int.MaxValue)
    {
        int end = (int)Math.Min(spec.Count, (long)spec.FirstTypeId + limit);
        for (int id = spec.FirstTypeId; id < end; id++)
        {
            var t = spec[id];
            _ = t.ToString();
            Assert.Equal(t.Kind, spec.GetKind(id));
            Assert.Equal(t.Name, spec.GetName(id));
            if (spec.TryGetSize(id, out int size))
                Assert.True(size >= 0);
            if (spec.TryGetAlignment(id, out int alignment))
                Assert.True(alignment > 0);
            _ = spec.SkipModifiers(id);
            _ = spec.SkipQualifiers(id);
            if (t.Name.Length > 0 && !t.Name.Contains('\uFFFD')) // names that are not valid UTF-8 cannot be asked for
                Assert.Contains(spec.FindAll(t.Name), x => x.Id == id);
            switch (t)
            {
                case BtfComposite c:
                    foreach (var m in c.Members)
                    {
                        _ = spec[m.TypeId];
                        if (m.Name.Length > 0 && !m.Name.Contains('.'))
                            Assert.True(spec.TryFindMember(id, m.Name, out _));
                    }
                    break;
                case BtfPointer p: _ = p.Target; break;
                case BtfTypedef td: _ = td.Target; break;
                case BtfModifier mod: _ = mod.Target; break;
                case BtfArray a: _ = a.ElementType; break;
                case BtfFunc f: _ = f.Proto.ReturnType; break;
                case BtfFuncProto fp:
                    foreach (var p in fp.Parameters)
                        _ = spec[p.TypeId];
                    break;
                case BtfVar v: _ = v.Type; break;
                case BtfDataSec d:
                    foreach (var v in d.Variables)
                        _ = spec[v.TypeId];
                    break;
                case BtfDeclTag dt: _ = dt.Target; break;
                case BtfEnum e: _ = e.Values.Length; break;
            }
        }
    }

    private static byte[] KernelClosure()
    {
        if (!File.Exists(VmlinuxPath))
            Assert.Skip($"{VmlinuxPath} is missing (kernel without CONFIG_DEBUG_INFO_BTF)");
        var kernel = BtfSpec.LoadKernel();
        var roots = new[] { ("bpf_attr", BtfKind.Union), ("bpf_map_info", BtfKind.Struct), ("perf_event_attr", BtfKind.Struct) }
            .Select(r => kernel.FindByName(r.Item1, r.Item2).Id)
            .Concat(kernel.FindAll("bpf_map_type").Select(t => t.Id))
            .ToArray();
        return BtfClosureCopier.Copy(kernel, roots).Blob;
    }

    /// <summary>Cuts the type section at <paramref name="cut"/> bytes and fixes the header so the sections stay consistent.</summary>
    private static byte[] CutTypeSection(byte[] blob, int cut)
    {
        uint hdr = BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.HeaderLength);
        uint typeOff = BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeOffset);
        uint strOff = BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.StringOffset);
        uint strLen = BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.StringLength);
        var result = new byte[24 + cut + strLen];
        blob.AsSpan(0, 24).CopyTo(result);
        blob.AsSpan((int)(hdr + typeOff), cut).CopyTo(result.AsSpan(24));
        blob.AsSpan((int)(hdr + strOff), (int)strLen).CopyTo(result.AsSpan(24 + cut));
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.HeaderLength, 24);
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.TypeOffset, 0);
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.TypeLength, (uint)cut);
        BtfBlobBuilder.SetHeader(result, BtfBlobBuilder.StringOffset, (uint)cut);
        return result;
    }

    [Fact]
    public void EveryTruncationOfAHandBuiltBlobIsAFormatError()
    {
        var blob = BtfBlobBuilder.AllKinds();
        Exercise(BtfSpec.Parse(blob));
        for (int length = 0; length < blob.Length; length++)
            Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(blob.AsSpan(0, length)));
    }

    [Fact]
    public void EveryCutOfTheTypeSectionParsesOrIsAFormatError()
    {
        var blob = BtfBlobBuilder.AllKinds();
        int typeLength = (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeLength);
        int parsed = 0;
        for (int cut = 0; cut <= typeLength; cut++)
        {
            if (ParseOrFormatError(CutTypeSection(blob, cut)) is not null)
                parsed++;
        }
        Assert.True(parsed >= 2, $"only {parsed} cuts parsed"); // at least the empty and the full type section
    }

    [Fact]
    public void TruncatedKernelBlobs()
    {
        if (!File.Exists(VmlinuxPath))
            Assert.Skip($"{VmlinuxPath} is missing (kernel without CONFIG_DEBUG_INFO_BTF)");
        var blob = File.ReadAllBytes(VmlinuxPath);
        var random = new Random(20240611);
        var lengths = Enumerable.Range(0, 64).Concat(Enumerable.Range(0, 200).Select(_ => random.Next(blob.Length)));
        foreach (int length in lengths)
            Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(blob.AsSpan(0, length)));

        int typeLength = (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeLength);
        for (int i = 0; i < 24; i++)
            ParseOrFormatError(CutTypeSection(blob, random.Next(typeLength)), exerciseLimit: 200);
    }

    [Fact]
    public void EveryCutOfAKernelClosureParsesOrIsAFormatError()
    {
        var blob = KernelClosure();
        Exercise(BtfSpec.Parse(blob));
        for (int length = 0; length < blob.Length; length += 7)
            Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(blob.AsSpan(0, length)));
        int typeLength = (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeLength);
        for (int cut = 0; cut <= typeLength; cut += 4)
            ParseOrFormatError(CutTypeSection(blob, cut));
    }

    [Fact]
    public void MutatedHandBuiltBlobs() => Mutate(BtfBlobBuilder.AllKinds(), seed: 1, iterations: 4000);

    [Fact]
    public void MutatedKernelClosures() => Mutate(KernelClosure(), seed: 2, iterations: 3000);

    [Fact]
    public void MutatedSplitBlobs()
    {
        var baseSpec = BtfSpec.Parse(BtfBlobBuilder.AllKinds(out var ids));
        var b = BtfBlobBuilder.SplitOn(baseSpec);
        int s = b.Struct("module_state", 32, ("outer", ids["outer"], 0));
        int p = b.Pointer(s);
        b.Typedef("state_t", p);
        b.Func("module_init", ids["proto"]);
        b.Var("state", s);
        var blob = b.Build();
        Assert.NotNull(ParseOrFormatError(blob, baseSpec));
        Mutate(blob, seed: 3, iterations: 2000, baseSpec);
    }

    [Fact]
    public void MutatedKernelBlob()
    {
        if (!File.Exists(VmlinuxPath))
            Assert.Skip($"{VmlinuxPath} is missing (kernel without CONFIG_DEBUG_INFO_BTF)");
        var blob = File.ReadAllBytes(VmlinuxPath);
        var random = new Random(4);
        int typeEnd = 24 + (int)BtfBlobBuilder.GetHeader(blob, BtfBlobBuilder.TypeLength);
        for (int i = 0; i < 60; i++)
        {
            var copy = (byte[])blob.Clone();
            // Mostly the header and the type section, where the structure is.
            int position = i < 12 ? random.Next(24) : random.Next(typeEnd);
            copy[position] ^= (byte)(1 << random.Next(8));
            ParseOrFormatError(copy, exerciseLimit: 100);
        }
    }

    /// <summary>
    /// Structure-aware mutants (<see cref="BtfMutator"/>) of a hand-built blob and of a kernel closure, each parsed,
    /// walked, written as C and formatted as values from random bytes: a <see cref="BpfFormatException"/> or
    /// success only, each input within the time budget. The walks are bounded by construction (no recursion
    /// deeper than a fixed limit, so no stack overflow can kill the test host); the appended shapes test that with
    /// thousands of levels. An input that fails is saved under fuzz-failures/ beside the tests, to become a fixture.
    /// </summary>
    [Theory]
    [InlineData(101, 1200)]
    [InlineData(102, 1200)]
    public void StructureAwareMutantsAreRefusedOrFormattedWithinBudget(int seed, int inputs)
    {
        // BPFSHARP_FUZZ_SCALE=N runs N times as many inputs (a longer run outside CI), with the same seeds.
        if (int.TryParse(Environment.GetEnvironmentVariable("BPFSHARP_FUZZ_SCALE"), out int scale) && scale > 1) inputs *= scale;
        var originals = new List<byte[]> { BtfBlobBuilder.AllKinds() };
        if (File.Exists(VmlinuxPath)) originals.Add(KernelClosure());
        var budget = TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        int parsed = 0, refused = 0;
        var data = new byte[64];
        for (int o = 0; o < originals.Count; o++)
        {
            var mutator = new BtfMutator(originals[o], seed * 10 + o);
            var random = new Random(seed * 10 + o);
            for (int i = 0; i < inputs / originals.Count; i++)
            {
                var blob = mutator.Next();
                random.NextBytes(data);
                var one = Stopwatch.StartNew();
                try
                {
                    if (BtfBadInputTests.ParseAndFormat(blob, data: data.AsSpan(0, random.Next(data.Length + 1)), typeLimit: 100) is null) refused++;
                    else parsed++;
                }
                catch (Exception e) when (e is not Xunit.Sdk.IAssertionException)
                {
                    Assert.Fail($"{e.GetType().Name} ({e.Message}); the input is {SaveFailure(blob, seed, o, i)}");
                }
                if (one.Elapsed > budget)
                    Assert.Fail($"an input took {one.Elapsed.TotalSeconds:F1} s; it is {SaveFailure(blob, seed, o, i)}");
                if (one.Elapsed > slowest) slowest = one.Elapsed;
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{parsed + refused} inputs ({parsed} parsed, {refused} refused) in {clock.Elapsed.TotalSeconds:F1} s, slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.True(parsed > 0 && refused > 0, $"{parsed} parsed, {refused} refused: the mutator does not reach both sides");
    }

    private static string SaveFailure(byte[] blob, int seed, int original, int index)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "fuzz-failures");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"btf-seed{seed}-{original}-{index}.btf");
        File.WriteAllBytes(path, blob);
        return path;
    }

    private static readonly uint[] Interesting =
        [0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff,
         0x0400_0000, 0x1300_0000, 0x8400_0001, 0x8500_0002, 0x0d00_0003, 0x0300_0000, 0x1100_0000];

    private static void Mutate(byte[] original, int seed, int iterations, BtfSpec? baseSpec = null)
    {
        var random = new Random(seed);
        int parsed = 0;
        for (int i = 0; i < iterations; i++)
        {
            var blob = (byte[])original.Clone();
            int mutations = 1 + random.Next(3);
            for (int m = 0; m < mutations; m++)
            {
                switch (random.Next(4))
                {
                    case 0:
                        blob[random.Next(blob.Length)] = (byte)random.Next(256);
                        break;
                    case 1:
                        blob[random.Next(blob.Length)] ^= (byte)(1 << random.Next(8));
                        break;
                    case 2:
                    {
                        // A word that often means something: small ids, sizes, kinds in the info word, limits.
                        int at = random.Next(blob.Length / 4) * 4;
                        if (at + 4 <= blob.Length)
                            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at), Interesting[random.Next(Interesting.Length)]);
                        break;
                    }
                    default:
                    {
                        int at = random.Next(blob.Length / 4) * 4;
                        if (at + 4 <= blob.Length)
                        {
                            uint word = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(at));
                            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at), word + (uint)random.Next(-3, 4));
                        }
                        break;
                    }
                }
            }
            if (ParseOrFormatError(blob, baseSpec) is not null)
                parsed++;
        }
        // Some mutations hit only names or values: the walk over parsed specs must have run.
        Assert.True(parsed > 0, "no mutation parsed");
    }
}
