using BpfSharp.Btf;
using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp.Tests.Interop;

/// <summary>The library's enums that mirror kernel enums, checked name by name and value by value against BTF.</summary>
public class KernelEnumTests
{
    public static TheoryData<string, string, string> MirroredEnums => new()
    {
        { nameof(BpfMapType), "bpf_map_type", "BPF_MAP_TYPE_" },
        { nameof(BpfProgramType), "bpf_prog_type", "BPF_PROG_TYPE_" },
        { nameof(BpfAttachType), "bpf_attach_type", "BPF_" },
        { nameof(BpfLinkType), "bpf_link_type", "BPF_LINK_TYPE_" },
        { nameof(BpfCommand), "bpf_cmd", "" },
        { nameof(PerfEventLinkKind), "bpf_perf_event_type", "BPF_PERF_EVENT_" },
        { nameof(SoftwarePerfEvent), "perf_sw_ids", "PERF_COUNT_SW_" },
    };

    private static readonly Dictionary<string, Type> Types = new()
    {
        [nameof(BpfMapType)] = typeof(BpfMapType),
        [nameof(BpfProgramType)] = typeof(BpfProgramType),
        [nameof(BpfAttachType)] = typeof(BpfAttachType),
        [nameof(BpfLinkType)] = typeof(BpfLinkType),
        [nameof(BpfCommand)] = typeof(BpfCommand),
        [nameof(PerfEventLinkKind)] = typeof(PerfEventLinkKind),
        [nameof(SoftwarePerfEvent)] = typeof(SoftwarePerfEvent),
    };

    [Theory]
    [MemberData(nameof(MirroredEnums))]
    public void EveryMemberHasTheKernelsValue_AndNoKernelValueIsMissing(string csharpEnum, string kernelEnum, string prefix)
    {
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Assert.Skip("the kernel has no BTF");
        var spec = BtfSpec.LoadKernel();
        var kernel = spec.Find<BtfEnum>(kernelEnum);
        var byName = new Dictionary<string, long>();
        foreach (var v in kernel.Values)
            if (v.Name.StartsWith(prefix, StringComparison.Ordinal) && !v.Name.StartsWith("__", StringComparison.Ordinal))
                byName.TryAdd(Normalize(v.Name[prefix.Length..]), v.Value);

        var type = Types[csharpEnum];
        long max = 0;
        foreach (var name in Enum.GetNames(type))
        {
            long value = Convert.ToInt64(Enum.Parse(type, name));
            max = Math.Max(max, value);
            Assert.True(byName.TryGetValue(Normalize(name), out long expected), $"{csharpEnum}.{name} has no {prefix}* counterpart in enum {kernelEnum}");
            Assert.True(expected == value, $"{csharpEnum}.{name} = {value}, kernel {expected}");
        }
        // Every kernel value up to our highest is mirrored: no gaps.
        var ours = Enum.GetValues(type).Cast<object>().Select(Convert.ToInt64).ToHashSet();
        foreach (var (name, value) in byName)
            if (value <= max) Assert.True(ours.Contains(value), $"kernel {kernelEnum} value {name} = {value} is missing from {csharpEnum}");
    }

    [Fact]
    public void MapFlags_HaveTheKernelsBits()
    {
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Assert.Skip("the kernel has no BTF");
        var spec = BtfSpec.LoadKernel();
        var kernelNames = new Dictionary<BpfMapFlags, string>
        {
            [BpfMapFlags.NoPrealloc] = "BPF_F_NO_PREALLOC", [BpfMapFlags.NoCommonLru] = "BPF_F_NO_COMMON_LRU",
            [BpfMapFlags.NumaNode] = "BPF_F_NUMA_NODE", [BpfMapFlags.ReadOnly] = "BPF_F_RDONLY",
            [BpfMapFlags.WriteOnly] = "BPF_F_WRONLY", [BpfMapFlags.StackBuildId] = "BPF_F_STACK_BUILD_ID",
            [BpfMapFlags.ZeroSeed] = "BPF_F_ZERO_SEED", [BpfMapFlags.ReadOnlyProgram] = "BPF_F_RDONLY_PROG",
            [BpfMapFlags.WriteOnlyProgram] = "BPF_F_WRONLY_PROG", [BpfMapFlags.Clone] = "BPF_F_CLONE",
            [BpfMapFlags.Mmapable] = "BPF_F_MMAPABLE", [BpfMapFlags.PreserveElems] = "BPF_F_PRESERVE_ELEMS",
            [BpfMapFlags.InnerMap] = "BPF_F_INNER_MAP", [BpfMapFlags.Link] = "BPF_F_LINK",
            [BpfMapFlags.PathFd] = "BPF_F_PATH_FD", [BpfMapFlags.VTypeBtfObjFd] = "BPF_F_VTYPE_BTF_OBJ_FD",
            [BpfMapFlags.TokenFd] = "BPF_F_TOKEN_FD", [BpfMapFlags.SegvOnFault] = "BPF_F_SEGV_ON_FAULT",
            [BpfMapFlags.NoUserConv] = "BPF_F_NO_USER_CONV",
        };
        var values = spec.Types.OfType<BtfEnum>().SelectMany(e => e.Values).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First().Value);
        foreach (var (flag, name) in kernelNames)
            Assert.True(values.TryGetValue(name, out long v) && v == (long)flag, $"{flag} = {(long)flag}, kernel {name} = {(values.TryGetValue(name, out var k) ? k : -1)}");
        Assert.Equal(Enum.GetValues<BpfMapFlags>().Length - 1, kernelNames.Count);
    }

    private static string Normalize(string s) => s.Replace("_", "").ToLowerInvariant();
}
