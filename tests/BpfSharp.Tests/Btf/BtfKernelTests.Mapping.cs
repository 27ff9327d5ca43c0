using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Tests.Support;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// The kernel's BTF held as its raw blob plus an index, mapped (where the kernel allows it: Linux 6.15 and later) or
/// read into memory (older kernels, forced here): every type, asked for in a shuffled order, is the one bpftool prints for that id.
/// </summary>
public sealed partial class BtfKernelTests
{
    [Fact]
    public void TheProcessWideSpecIsMappedWhereTheKernelAllowsIt()
    {
        // Linux 6.15 gave /sys/kernel/btf/vmlinux an mmap; before it the load reads the file. The witness is a
        // mapping the test makes itself, not the version (a kernel may be patched either way).
        Assert.Equal(KernelLetsTheFileBeMapped(), Kernel().IsMapped);
    }

    /// <summary>
    /// Whether a private read-only mapping of the kernel's BTF file succeeds, made here with libc's mmap (.NET's
    /// MemoryMappedFile maps shared, which the kernel refuses for this file even where it allows a private map).
    /// </summary>
    private static bool KernelLetsTheFileBeMapped()
    {
        using var file = File.OpenHandle(VmlinuxPath);
        nuint length = (nuint)RandomAccess.GetLength(file);
        nint address = mmap(0, length, ProtRead, MapPrivate, (int)file.DangerousGetHandle(), 0);
        if (address == -1) return false;
        munmap(address, length);
        return true;
    }

    private const int ProtRead = 1, MapPrivate = 2;

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial int munmap(nint address, nuint length);

    [Fact]
    public void MappedKernelBtfMatchesBpftoolInAnyOrder()
    {
        Kernel();
        var spec = BtfSpec.LoadKernelFile(VmlinuxPath, map: true);
        Assert.Equal(KernelLetsTheFileBeMapped(), spec.IsMapped);
        if (spec.IsMapped)
        {
            // The kernel maps its own image's pages: reading them adds nothing to the process's resident memory.
            var rss = MappingRssKilobytes();
            Assert.NotEmpty(rss);
            Assert.All(rss, kb => Assert.Equal(0, kb));
        }
        AssertSameTypesAsBpftool(spec);
    }

    [Fact]
    public void ReadKernelBtfMatchesBpftoolInAnyOrder()
    {
        Kernel();
        var spec = BtfSpec.LoadKernelFile(VmlinuxPath, map: false);
        Assert.False(spec.IsMapped);
        AssertSameTypesAsBpftool(spec);
    }

    private static void AssertSameTypesAsBpftool(BtfSpec spec)
    {
        var blocks = new List<List<string>>();
        foreach (var line in BpftoolRawDump())
        {
            if (line.StartsWith('[')) blocks.Add([line]);
            else blocks[^1].Add(line);
        }
        Assert.Equal(blocks.Count, spec.Count - 1);

        // Shuffled: the index and the sparse type cache are asked for ids out of order, each page first by any id.
        var ids = Enumerable.Range(1, spec.Count - 1).ToArray();
        new Random(26).Shuffle(ids);
        var mismatches = new List<string>();
        foreach (int id in ids)
        {
            var ours = BtfRawDump.Lines(spec, id).ToList();
            var theirs = blocks[id - 1];
            if (!ours.SequenceEqual(theirs))
                mismatches.Add($"type {id}:\n  bpftool: {string.Join("\n           ", theirs)}\n  ours:    {string.Join("\n           ", ours)}");
            if (mismatches.Count == 5) break;
            // A size the parser computed for a composite, INT or enum is the one bpftool prints from the record.
            if (SizeField().Match(theirs[0]) is { Success: true } size)
                Assert.Equal(int.Parse(size.Groups[1].Value), spec.SizeOf(id));
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Same(spec[ids[0]], spec[ids[0]]);

        // Names resolve through the string section of the same blob: the first struct bpftool names so.
        int taskStruct = blocks.FindIndex(b => b[0].Contains("] STRUCT 'task_struct' ", StringComparison.Ordinal)) + 1;
        Assert.True(spec.TryFindId("task_struct", BtfKind.Struct, out int found));
        Assert.Equal(taskStruct, found);
    }

    [GeneratedRegex(@"^\[\d+\] (?:STRUCT|UNION|INT|ENUM|ENUM64) '[^']*' (?:encoding=\w+ )?size=(\d+)")]
    private static partial Regex SizeField();

    /// <summary>The resident size of each mapping of the kernel's BTF file in this process (/proc/self/smaps).</summary>
    private static List<int> MappingRssKilobytes()
    {
        var sizes = new List<int>();
        bool inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-'))
                inMapping = line.EndsWith(" " + VmlinuxPath, StringComparison.Ordinal);
            else if (inMapping && line.StartsWith("Rss:", StringComparison.Ordinal))
                sizes.Add(int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        }
        return sizes;
    }
}
