using BpfSharp.Btf;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Name lookups: a spec's first few are scans of its string sections and types (BtfNameScan), the later ones use the
/// index built then. Both must answer what a walk over every type answers.
/// </summary>
public sealed class BtfNameLookupTests
{
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

    [Fact]
    public void VmlinuxLookups_ScannedThenIndexed_AgreeWithAWalkOverEveryType()
    {
        if (!File.Exists(VmlinuxPath))
            Assert.Skip($"{VmlinuxPath} is missing (kernel without CONFIG_DEBUG_INFO_BTF)");
        var spec = BtfSpec.Load(VmlinuxPath); // a spec of its own: no lookup has built its index yet
        var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int id = 1; id < spec.Count; id++)
        {
            string name = spec.GetName(id);
            if (name.Length == 0) continue;
            if (!byName.TryGetValue(name, out var ids)) byName[name] = ids = [];
            ids.Add(id);
        }
        // Names of one type and of several (a struct and a function, say), a prefix of another name, names that are
        // only member names or not there at all: three times as many as the scans before the index.
        var names = byName.Where(p => p.Value.Count > 1).Take(BtfNameScan.LookupsBeforeIndex).Select(p => p.Key)
            .Concat(byName.Where(p => p.Value.Count == 1).Take(BtfNameScan.LookupsBeforeIndex).Select(p => p.Key))
            .Concat(["task_struct", "task", "pid", "int", "comm", "bpfsharp_no_such_type", "sk_buff", "u32"])
            .Concat(byName.Keys.Skip(5000).Take(BtfNameScan.LookupsBeforeIndex))
            .ToList();

        Assert.False(spec.HasNameIndex);
        for (int i = 0; i < names.Count; i++)
        {
            var expected = byName.TryGetValue(names[i], out var ids) ? ids : [];
            Assert.Equal(expected, spec.FindAll(names[i]).Select(t => t.Id));
            // The scans come first; the index exists from the lookup after them on.
            Assert.Equal(i >= BtfNameScan.LookupsBeforeIndex, spec.HasNameIndex);
        }
    }

    [Fact]
    public void SplitLookups_FindNamesInEveryStringSection_ScannedAndIndexed()
    {
        var b0 = new BtfBlobBuilder();
        int baseInt = b0.Int("int", 4, BtfIntEncoding.Signed);
        int baseTask = b0.Struct("task_struct", 4, ("pid", baseInt, 0));
        var baseSpec = BtfSpec.Parse(b0.Build());

        // A split section without the leading NUL: its first string starts at the very first own offset.
        var b = BtfBlobBuilder.SplitOn(baseSpec, leadingNul: false);
        b.Str("bpfsharp_first");
        int first = b.Struct("bpfsharp_first", 4, ("a", baseInt, 0));
        int taskStringOffset = baseSpec.GetLocalNameOffset(baseTask - baseSpec.FirstTypeId);
        int sameNameAsBase = b.Raw((uint)taskStringOffset, BtfBlobBuilder.Info(BtfKind.Typedef), (uint)baseTask);
        int dup1 = b.Typedef("bpfsharp_dup", baseInt);
        int dup2 = b.Raw((uint)b.StrCopy("bpfsharp_dup"), BtfBlobBuilder.Info(BtfKind.Typedef), (uint)baseInt);
        int task = b.Typedef("task", baseInt); // a prefix of task_struct
        // Named by the tail of another string ("..._first"), as a blob with tail-merged strings does.
        int tail = b.Raw((uint)(b.Str("bpfsharp_first") + "bpfsharp_".Length), BtfBlobBuilder.Info(BtfKind.Typedef), (uint)baseInt);
        var split = BtfSpec.Parse(b.Build(), baseSpec);
        Assert.Equal(baseSpec.StringsEnd, split.GetLocalNameOffset(first - split.FirstTypeId));

        (string Name, int[] Ids)[] expected =
        [
            ("bpfsharp_first", [first]),
            ("task_struct", [baseTask, sameNameAsBase]),
            ("bpfsharp_dup", [dup1, dup2]),
            ("task", [task]),
            ("int", [baseInt]),
            ("first", [tail]),
            ("pid", []),
            ("bpfsharp_", []),
        ];
        for (int round = 0; round <= BtfNameScan.LookupsBeforeIndex / expected.Length + 1; round++)
        {
            foreach (var (name, ids) in expected)
                Assert.Equal(ids, split.FindAll(name).Select(t => t.Id));
        }
        Assert.True(split.HasNameIndex);
        Assert.True(baseSpec.HasNameIndex);
    }
}
