using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Maps;

public class MapLifecycleTests
{
    [Fact]
    public void Pin_OpenPinned_Unpin()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        string path = dir["nested/dir/counts"];
        using (var map = BpfMap.Create(BpfMapType.Array, 4, 8, 4, new() { Name = "t_pin" }))
        {
            map.Update(2, 77L);
            map.Pin(path);
            Assert.Equal(path, map.PinPath);
            Assert.True(File.Exists(path));
        }
        // The pin keeps the map alive after its last fd is closed.
        using (var again = BpfMap.OpenPinned(path))
        {
            Assert.Equal(BpfMapType.Array, again.Type);
            Assert.Equal((4, 8, 4), (again.KeySize, again.ValueSize, again.MaxEntries));
            Assert.Equal("t_pin", again.Name);
            Assert.Equal(77L, again.Lookup<int, long>(2));
            again.Unpin();
            Assert.False(File.Exists(path));
            Assert.Null(again.PinPath);
        }
    }

    [Fact]
    public void Pin_OutsideBpfFs_IsRefusedAndCreatesNothing()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1);
        string dir = Path.Combine(Path.GetTempPath(), $"bpfsharp-notbpffs-{Guid.NewGuid():N}");
        var e = Assert.Throws<BpfException>(() => map.Pin(Path.Combine(dir, "x", "map")));
        Assert.Contains("not on a BPF filesystem", e.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void FromId_EnumerateIds_GetInfo()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.LruHash, 8, 16, 32, new() { Name = "t_info", Flags = BpfMapFlags.NoCommonLru });
        uint id = map.Id;
        Assert.Contains(id, BpfMap.EnumerateIds());
        using var byId = BpfMap.FromId(id);
        var info = byId.GetInfo();
        Assert.Equal(id, info.Id);
        Assert.Equal(BpfMapType.LruHash, info.Type);
        Assert.Equal("t_info", info.Name);
        Assert.Equal((8, 16, 32), (info.KeySize, info.ValueSize, info.MaxEntries));
        Assert.True(info.Flags.HasFlag(BpfMapFlags.NoCommonLru));

        // bpftool sees the same map.
        string bpftool = TestKernel.RequireTool("bpftool");
        var json = System.Text.Json.JsonDocument.Parse(TestKernel.Run(bpftool, "map", "show", "id", id.ToString(), "-j")).RootElement;
        Assert.Equal("t_info", json.GetProperty("name").GetString());
        Assert.Equal("lru_hash", json.GetProperty("type").GetString());
        Assert.Equal(32, json.GetProperty("max_entries").GetInt32());
    }

    [Fact]
    public void FromId_OfAMissingMap_ThrowsWithEnoent()
    {
        TestKernel.RequireRoot();
        var e = Assert.Throws<BpfException>(() => BpfMap.FromId(uint.MaxValue - 1));
        Assert.Equal("ENOENT", e.ErrnoName);
        Assert.Contains("BPF_MAP_GET_FD_BY_ID", e.Message);
    }

    [Fact]
    public void MmapableArray_SharesMemoryWithLookups()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1000, new() { Flags = BpfMapFlags.Mmapable });
        using var memory = map.MapMemory();
        Assert.Equal(8000, memory.Length);
        memory.As<long>(8 * 500) = 12345;
        Assert.Equal(12345L, map.Lookup<int, long>(500));
        map.Update(999, 999L);
        Assert.Equal(999L, memory.As<long>(8 * 999));
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.As<long>(8000));
    }

    [Fact]
    public void FrozenMmapableArray_MapsReadOnlyOnly()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 4, new() { Flags = BpfMapFlags.Mmapable });
        map.Update(1, 5L);
        map.Freeze();
        var e = Assert.Throws<BpfException>(() => map.MapMemory(writable: true));
        Assert.Equal("EPERM", e.ErrnoName);
        using var ro = map.MapMemory(writable: false);
        Assert.Equal(5L, ro.As<long>(8));
    }

    [Fact]
    public void MapMemory_OfANonMmapableMap_IsRefused()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 4);
        Assert.Throws<InvalidOperationException>(() => map.MapMemory());
    }

    [Fact]
    public void ArrayOfMaps_HoldsInnerMapsByFdAndReturnsTheirIds()
    {
        TestKernel.RequireRoot();
        using var inner = BpfMap.Create(BpfMapType.Array, 4, 8, 4, new() { Name = "t_inner" });
        using var outer = BpfMap.Create(BpfMapType.ArrayOfMaps, 4, 4, 2, new() { Name = "t_outer", InnerMap = inner });
        outer.Update(1, inner);
        Assert.Equal(inner.Id, outer.Lookup<int, uint>(1));

        // An inner map of another shape is refused by the kernel.
        using var other = BpfMap.Create(BpfMapType.Array, 4, 16, 4);
        var e = Assert.Throws<BpfException>(() => outer.Update(0, other));
        Assert.Equal("EINVAL", e.ErrnoName);
    }

    public static TheoryData<BpfMapType, int, int, int, BpfMapFlags> CreatableTypes => new()
    {
        { BpfMapType.Hash, 4, 8, 16, 0 },
        { BpfMapType.Array, 4, 8, 16, 0 },
        { BpfMapType.ProgArray, 4, 4, 16, 0 },
        { BpfMapType.PerfEventArray, 4, 4, 16, 0 },
        { BpfMapType.PerCpuHash, 4, 8, 16, 0 },
        { BpfMapType.PerCpuArray, 4, 8, 16, 0 },
        { BpfMapType.StackTrace, 4, 8 * 127, 16, 0 },
        { BpfMapType.CgroupArray, 4, 4, 16, 0 },
        { BpfMapType.LruHash, 4, 8, 16, 0 },
        { BpfMapType.LruPerCpuHash, 4, 8, 16, 0 },
        { BpfMapType.LpmTrie, 8, 8, 16, BpfMapFlags.NoPrealloc },
        { BpfMapType.DevMap, 4, 4, 16, 0 },
        { BpfMapType.SockMap, 4, 4, 16, 0 },
        { BpfMapType.CpuMap, 4, 4, 2, 0 },
        { BpfMapType.XskMap, 4, 4, 16, 0 },
        { BpfMapType.SockHash, 4, 4, 16, 0 },
        { BpfMapType.ReuseportSockArray, 4, 4, 16, 0 },
        { BpfMapType.Queue, 0, 8, 16, 0 },
        { BpfMapType.Stack, 0, 8, 16, 0 },
        { BpfMapType.DevMapHash, 4, 4, 16, 0 },
        { BpfMapType.RingBuf, 0, 0, 4096, 0 },
        { BpfMapType.BloomFilter, 0, 8, 16, 0 },
        { BpfMapType.UserRingBuf, 0, 0, 4096, 0 },
    };

    [Theory]
    [MemberData(nameof(CreatableTypes))]
    public void EveryMapTypeWithoutBtf_CanBeCreated(BpfMapType type, int keySize, int valueSize, int maxEntries, BpfMapFlags flags)
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(type, keySize, valueSize, maxEntries, new() { Flags = flags, Name = "t_type" });
        Assert.Equal(type, map.GetInfo().Type);
    }

    [Fact]
    public void BloomFilter_AnswersMembership()
    {
        TestKernel.RequireRoot();
        using var bloom = BpfMap.Create(BpfMapType.BloomFilter, 0, 8, 100, new() { MapExtra = 3 });
        bloom.Push(42L);
        Span<byte> value = BitConverter.GetBytes(42L);
        Assert.True(bloom.TryLookup(ReadOnlySpan<byte>.Empty, value));
        // A value never added is (with overwhelming probability for one element in 100) reported absent.
        Assert.False(bloom.TryLookup(ReadOnlySpan<byte>.Empty, BitConverter.GetBytes(43L)));
        Assert.Equal(3UL, bloom.GetInfo().MapExtra);
    }

    [Fact]
    public void CreateFailure_NamesTheMapAndErrno()
    {
        TestKernel.RequireRoot();
        var e = Assert.Throws<BpfException>(() => BpfMap.Create(BpfMapType.Array, 3, 8, 1, new() { Name = "badkey" }));
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Contains("BPF_MAP_CREATE", e.Message);
        Assert.Contains("badkey", e.Message);
    }

    [Fact]
    public void GetInfoBytes_IsTheKernelsStruct_ReadThroughItsBtf()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 8, 24, 7, new() { Name = "t_raw" });
        // The running kernel's struct bpf_map_info, longer than any struct BpfSharp was built with: the kernel fills
        // what it has, and every field lands where the kernel's BTF says.
        var kernel = BpfSharp.Btf.BtfSpec.LoadKernel();
        var type = kernel.Find<BpfSharp.Btf.BtfStruct>("bpf_map_info");
        byte[] raw = map.GetInfoBytes(type.Size + 64);
        uint Field(string name) => BitConverter.ToUInt32(raw, (int)kernel.FindMember(type.Id, name).ByteOffset);
        Assert.Equal((uint)BpfMapType.Hash, Field("type"));
        Assert.Equal(map.Id, Field("id"));
        Assert.Equal(8u, Field("key_size"));
        Assert.Equal(24u, Field("value_size"));
        Assert.Equal(7u, Field("max_entries"));
        Assert.Equal("t_raw", System.Text.Encoding.ASCII.GetString(raw, (int)kernel.FindMember(type.Id, "name").ByteOffset, 5));
        Assert.All(raw[type.Size..], b => Assert.Equal(0, b));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.GetInfoBytes(-1));
    }
}
