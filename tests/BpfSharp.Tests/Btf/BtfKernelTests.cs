using System.Diagnostics;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>The running kernel's BTF, checked against what the kernel headers say and against bpftool.</summary>
public sealed partial class BtfKernelTests
{
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";
    private const string Bpftool = "/usr/sbin/bpftool";

    private static BtfSpec Kernel()
    {
        if (!File.Exists(VmlinuxPath))
            Assert.Skip($"{VmlinuxPath} is missing (kernel without CONFIG_DEBUG_INFO_BTF)");
        return BtfSpec.LoadKernel();
    }

    [Fact]
    public void VmlinuxParsesOnceAndIsShared()
    {
        var kernel = Kernel();
        Assert.True(kernel.Count > 10_000, $"only {kernel.Count} types");
        Assert.Null(kernel.Base);
        Assert.Equal(8, kernel.PointerSize);
        Assert.Same(kernel, BtfSpec.LoadKernel());
        Assert.Same(kernel, BtfSpec.LoadKernelModule("vmlinux"));
        var fromThreads = Enumerable.Range(0, 4).AsParallel().Select(_ => BtfSpec.LoadKernel()).ToArray();
        Assert.All(fromThreads, s => Assert.Same(kernel, s));
    }

    [Fact]
    public void TaskStructHasAnIntPid()
    {
        var kernel = Kernel();
        var task = kernel.Find<BtfStruct>("task_struct");
        Assert.True(task.TryGetMember("pid", out var pid));
        var pidType = Assert.IsType<BtfInt>(kernel.SkipModifiers(kernel[pid.TypeId])); // pid_t -> __kernel_pid_t -> int
        Assert.Equal(("int", 4, true), (pidType.Name, pidType.Size, pidType.IsSigned));
        Assert.Equal(pid.BitOffset, kernel.FindMember(task.Id, "pid").BitOffset);
        Assert.Equal(task.Size, kernel.SizeOf(task.Id));
    }

    [Fact]
    public void BpfAttrMembersAreWhereClangPutsThem()
    {
        var kernel = Kernel();
        var attr = kernel.Find<BtfUnion>("bpf_attr");

        // The first member is the anonymous struct of BPF_MAP_CREATE, which starts with map_type.
        var first = attr.Members[0];
        Assert.True(first.IsAnonymous);
        var mapCreate = Assert.IsType<BtfStruct>(kernel[first.TypeId]);
        Assert.Equal("map_type", mapCreate.Members[0].Name);
        var mapType = kernel.FindMember(attr.Id, "map_type");
        Assert.Equal((0L, mapCreate.Id, 0), (mapType.BitOffset, mapType.ContainerTypeId, mapType.MemberIndex));

        // BPF_PROG_LOAD: __u32 prog_type; __u32 insn_cnt; __aligned_u64 insns; __aligned_u64 license;
        Assert.Equal(0, kernel.FindMember(attr.Id, "prog_type").BitOffset);
        Assert.Equal(32, kernel.FindMember(attr.Id, "insn_cnt").BitOffset);
        Assert.Equal(64, kernel.FindMember(attr.Id, "insns").BitOffset);
        Assert.Equal(128, kernel.FindMember(attr.Id, "license").BitOffset);

        // link_create: two 4-byte unions (prog_fd, target_fd), attach_type, flags, then the per-kind union at byte 16.
        Assert.Equal(64, kernel.FindMember(attr.Id, "link_create.attach_type").BitOffset);
        Assert.Equal(96, kernel.FindMember(attr.Id, "link_create.flags").BitOffset);
        Assert.Equal(32, kernel.FindMember(attr.Id, "link_create.target_fd").BitOffset);
        var cookie = kernel.FindMember(attr.Id, "link_create.perf_event.bpf_cookie");
        Assert.Equal((128L, 16L, 8), (cookie.BitOffset, cookie.ByteOffset, kernel.SizeOf(cookie.TypeId)));
        Assert.Equal(8, kernel.AlignmentOf(attr.Id));
        Assert.False(kernel.TryFindMember(attr.Id, "link_create.nope", out _));
    }

    [Fact]
    public void BpfMapTypeRingbufIs27()
    {
        var kernel = Kernel();
        var mapType = kernel.Find<BtfEnum>("bpf_map_type");
        Assert.True(mapType.TryGetValue("BPF_MAP_TYPE_RINGBUF", out long ringbuf));
        Assert.Equal(27, ringbuf);
        Assert.True(mapType.TryGetValue("BPF_MAP_TYPE_UNSPEC", out long unspec));
        Assert.Equal(0, unspec);
    }

    [Fact]
    public void MatchesBpftoolLineByLine()
    {
        var kernel = Kernel();
        var lines = BpftoolRawDump();
        int count = lines.Count(l => l.StartsWith('['));
        Assert.Equal(kernel.Count - 1, count);

        var ours = BtfRawDump.Lines(kernel).ToList();
        var mismatches = new List<string>();
        for (int i = 0; i < Math.Min(lines.Count, ours.Count) && mismatches.Count < 10; i++)
        {
            if (lines[i] != ours[i])
                mismatches.Add($"line {i + 1}:\n  bpftool: {lines[i]}\n  ours:    {ours[i]}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Equal(lines.Count, ours.Count);
    }

    [Theory]
    [InlineData("bpf_map_info", "STRUCT")]
    [InlineData("bpf_prog_info", "STRUCT")]
    [InlineData("bpf_link_info", "STRUCT")]
    [InlineData("perf_event_attr", "STRUCT")]
    [InlineData("task_struct", "STRUCT")]
    [InlineData("bpf_attr", "UNION")]
    public void SizesMatchBpftool(string name, string kind)
    {
        var kernel = Kernel();
        var lines = BpftoolRawDump();
        var line = lines.First(l => l.Contains($"] {kind} '{name}' ", StringComparison.Ordinal));
        var match = RawHeader().Match(line);
        Assert.True(match.Success, line);
        int id = int.Parse(match.Groups[1].Value);
        int size = int.Parse(match.Groups[2].Value);
        Assert.True(kernel.TryFindId(name, kind == "UNION" ? BtfKind.Union : BtfKind.Struct, out int ourId));
        Assert.Equal(id, ourId);
        Assert.Equal(size, kernel.SizeOf(ourId));
    }

    [GeneratedRegex(@"^\[(\d+)\] \w+ '[^']*' size=(\d+)")]
    private static partial Regex RawHeader();

    private static readonly Lock s_bpftoolLock = new();
    private static List<string>? s_bpftoolVmlinux;

    /// <summary>
    /// <c>bpftool btf dump file /sys/kernel/btf/vmlinux format raw</c> as lines, run once: several tests compare
    /// against it.
    /// </summary>
    private static List<string> BpftoolRawDump()
    {
        if (!File.Exists(Bpftool))
            Assert.Skip($"{Bpftool} is not installed");
        lock (s_bpftoolLock)
        {
            if (s_bpftoolVmlinux is not null)
                return s_bpftoolVmlinux;
            var psi = new ProcessStartInfo(Bpftool) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "btf", "dump", "file", VmlinuxPath, "format", "raw" })
                psi.ArgumentList.Add(a);
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var lines = new List<string>(300_000);
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null)
                lines.Add(line);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"bpftool failed: {stderr.Result}");
            return s_bpftoolVmlinux = lines;
        }
    }

    [Fact]
    public void KernelClosureRoundTripsThroughAFreshBlob()
    {
        var kernel = Kernel();
        var attr = kernel.Find<BtfUnion>("bpf_attr");
        var info = kernel.Find<BtfStruct>("bpf_map_info");
        var perf = kernel.Find<BtfStruct>("perf_event_attr");
        var (blob, ids) = BtfClosureCopier.Copy(kernel, attr.Id, info.Id, perf.Id);
        var copy = BtfSpec.Parse(blob);
        Assert.True(copy.Count < 1000);
        foreach (var (root, paths) in new[]
        {
            (attr.Id, new[] { "map_type", "link_create.perf_event.bpf_cookie", "link_create.flags", "prog_flags", "batch.elem_flags" }),
            (info.Id, new[] { "name", "netns_ino", "map_extra" }),
            (perf.Id, new[] { "config", "sample_period", "bp_addr", "config1", "sig_data", "aux_sample_size" }),
        })
        {
            Assert.Equal(kernel.SizeOf(root), copy.SizeOf(ids[root]));
            Assert.Equal(kernel.AlignmentOf(root), copy.AlignmentOf(ids[root]));
            foreach (var path in paths)
            {
                var expected = kernel.FindMember(root, path);
                var actual = copy.FindMember(ids[root], path);
                Assert.Equal((expected.BitOffset, expected.BitfieldSize, kernel.SizeOf(expected.TypeId)),
                    (actual.BitOffset, actual.BitfieldSize, copy.SizeOf(actual.TypeId)));
            }
        }
        // perf_event_attr has kind_flag bitfields (disabled:1, inherit:1, ...).
        var disabled = copy.FindMember(ids[perf.Id], "disabled");
        Assert.Equal((320L, 1), (disabled.BitOffset, disabled.BitfieldSize));
    }

    [Fact]
    public void SplitBlobOnTopOfVmlinux()
    {
        var kernel = Kernel();
        var task = kernel.Find<BtfStruct>("task_struct");
        var u32 = kernel.Find<BtfTypedef>("u32");
        var b = BtfBlobBuilder.SplitOn(kernel);
        int ptr = b.Pointer(task.Id);
        int state = b.Struct("bpfsharp_module_state", 16, ("task", ptr, 0), ("flags", u32.Id, 64));
        int td = b.Typedef("bpfsharp_state_t", state);
        var split = BtfSpec.Parse(b.Build(), kernel);

        Assert.Same(kernel, split.Base);
        Assert.Equal(kernel.Count, split.FirstTypeId);
        Assert.Equal(kernel.Count + 3, split.Count);
        Assert.Equal((kernel.Count, kernel.Count + 1, kernel.Count + 2), (ptr, state, td));
        Assert.Same(task, split[task.Id]);                      // base ids resolve to the base's objects
        Assert.Same(task, split.Find<BtfStruct>("task_struct")); // and base names through the split spec
        Assert.Equal(state, split.Find<BtfStruct>("bpfsharp_module_state").Id);
        Assert.Equal(16, split.SizeOf(td));
        Assert.Equal(8, split.AlignmentOf(td));
        Assert.Equal(64, split.FindMember(td, "flags").BitOffset);
        Assert.Same(task, ((BtfPointer)split[ptr]).Target);
        Assert.Equal("task_struct", split.GetName(task.Id));
        Assert.False(kernel.TryFindId("bpfsharp_module_state", BtfKind.Struct, out _));
        BtfFuzzTests.Exercise(split);
    }

    [Fact]
    public void KernelModuleSplitBtfLoadsOnVmlinux()
    {
        var kernel = Kernel();
        var modules = BtfSpec.GetKernelModuleNames();
        Support.TestKernel.RequireKernelHas(Support.TestKernel.ModuleBtf, modules.Count > 0, "no kernel module exposes BTF under /sys/kernel/btf");
        foreach (var module in modules.Take(5))
        {
            var spec = BtfSpec.LoadKernelModule(module);
            Assert.Same(kernel, spec.Base);
            Assert.Equal(kernel.Count, spec.FirstTypeId);
            Assert.True(spec.Count >= spec.FirstTypeId);
            BtfFuzzTests.Exercise(spec);
            Assert.Same(kernel.Find<BtfStruct>("task_struct"), spec.Find<BtfStruct>("task_struct"));
        }
    }

    [Fact]
    public void MissingModuleAndBadNames()
    {
        Kernel();
        Assert.Throws<FileNotFoundException>(() => BtfSpec.LoadKernelModule("bpfsharp_no_such_module"));
        Assert.Throws<ArgumentException>(() => BtfSpec.LoadKernelModule("../vmlinux"));
        Assert.Throws<ArgumentException>(() => BtfSpec.LoadKernelModule(""));
    }
}
