using System.Runtime.InteropServices;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Maps;

public class MapElementTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Pair
    {
        public long A;
        public long B;
    }

    [Fact]
    public void HashMap_UpdateLookupDelete_WithGenericAndSpanApis()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 16, 64, new() { Name = "t_hash" });
        Assert.Equal("t_hash", map.Name);
        Assert.False(map.TryLookup(7, out Pair _));

        map.Update(7, new Pair { A = 1, B = 2 });
        var got = map.Lookup<int, Pair>(7);
        Assert.Equal((1L, 2L), (got.A, got.B));

        // The same element read through the byte API.
        Span<byte> value = stackalloc byte[16];
        Assert.True(map.TryLookup(BitConverter.GetBytes(7), value));
        Assert.Equal(1L, BitConverter.ToInt64(value));

        Assert.True(map.Delete(7));
        Assert.False(map.Delete(7));
        Assert.Throws<KeyNotFoundException>(() => map.Lookup<int, Pair>(7));
    }

    [Fact]
    public void Update_Flags_AreHonouredByTheKernel()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 8);
        var e = Assert.Throws<BpfException>(() => map.Update(1, 10L, BpfMapUpdateFlags.Exist));
        Assert.Equal("ENOENT", e.ErrnoName);
        map.Update(1, 10L, BpfMapUpdateFlags.NoExist);
        e = Assert.Throws<BpfException>(() => map.Update(1, 11L, BpfMapUpdateFlags.NoExist));
        Assert.Equal("EEXIST", e.ErrnoName);
        Assert.Contains("BPF_MAP_UPDATE_ELEM", e.Message);
        map.Update(1, 12L, BpfMapUpdateFlags.Exist);
        Assert.Equal(12L, map.Lookup<int, long>(1));
    }

    [Fact]
    public void Update_WithLockFlag_OnValueWithoutSpinLock_FailsWithEinval()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 8);
        var e = Assert.Throws<BpfException>(() => map.Update(1, 1L, BpfMapUpdateFlags.Lock));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("EINVAL", e.ErrnoName);
    }

    [Fact]
    public void FullHashMap_RefusesANewKeyWithE2big()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 4, 2);
        map.Update(1, 1);
        map.Update(2, 2);
        var e = Assert.Throws<BpfException>(() => map.Update(3, 3));
        Assert.Equal("E2BIG", e.ErrnoName);
    }

    [Fact]
    public void WrongKeyOrValueSize_IsRefusedBeforeTheKernel()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 8);
        Assert.Throws<ArgumentException>(() => map.Update(1L, 1L));
        Assert.Throws<ArgumentException>(() => map.Update(1, 1));
        Assert.Throws<ArgumentException>(() => map.TryLookup(new byte[3], new byte[8]));
        Assert.Throws<ArgumentException>(() => map.TryLookup(new byte[4], new byte[7]));
    }

    [Fact]
    public void ArrayMap_HasEveryIndexAndCannotDelete()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 4);
        Assert.Equal(0L, map.Lookup<int, long>(3));
        map.Update(3, 42L);
        Assert.Equal(42L, map.Lookup<int, long>(3));
        Assert.False(map.TryLookup(4, out long _));
        var e = Assert.Throws<BpfException>(() => map.Delete(3));
        Assert.Equal("EINVAL", e.ErrnoName);
    }

    [Fact]
    public void LookupAndDelete_RemovesTheElement()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 8);
        map.Update(5, 55L);
        Assert.True(map.TryLookupAndDelete(5, out long v));
        Assert.Equal(55L, v);
        Assert.False(map.TryLookup(5, out v));
        Assert.False(map.TryLookupAndDelete(5, out v));
    }

    [Fact]
    public void QueueAndStack_PushPopPeek()
    {
        TestKernel.RequireRoot();
        using var queue = BpfMap.Create(BpfMapType.Queue, 0, 8, 4);
        using var stack = BpfMap.Create(BpfMapType.Stack, 0, 8, 4);
        foreach (long i in new[] { 1L, 2L, 3L })
        {
            queue.Push(i);
            stack.Push(i);
        }
        Assert.True(queue.TryPeek(out long head));
        Assert.Equal(1L, head);
        var fromQueue = new List<long>();
        var fromStack = new List<long>();
        while (queue.TryPop(out long q)) fromQueue.Add(q);
        while (stack.TryPop(out long s)) fromStack.Add(s);
        Assert.Equal([1L, 2L, 3L], fromQueue);
        Assert.Equal([3L, 2L, 1L], fromStack);
    }

    [Fact]
    public void PerCpuArray_HasOneValuePerPossibleCpu()
    {
        TestKernel.RequireRoot();
        int cpus = BpfMap.PossibleCpuCount;
        Assert.Equal(int.Parse(File.ReadAllText("/sys/devices/system/cpu/possible").Trim().Split('-').Last()) + 1, cpus);

        // A 4-byte value occupies an 8-byte slot per CPU in the kernel's layout.
        using var map = BpfMap.Create(BpfMapType.PerCpuArray, 4, 4, 2);
        Assert.Equal(8 * cpus, map.ValueBufferSize);
        var values = Enumerable.Range(0, cpus).Select(c => 100 + c).ToArray();
        map.UpdatePerCpu(1, values.AsSpan());
        var read = new int[cpus];
        Assert.True(map.TryLookupPerCpu(1, read.AsSpan()));
        Assert.Equal(values, read);

        // The raw buffer shows the kernel's 8-byte stride.
        var raw = new byte[map.ValueBufferSize];
        map.Lookup(BitConverter.GetBytes(1), raw);
        for (int c = 0; c < cpus; c++) Assert.Equal(100 + c, BitConverter.ToInt32(raw, c * 8));

        Assert.Throws<ArgumentException>(() => map.TryLookup(1, out int _));
    }

    [Fact]
    public void PerCpuHash_With8ByteValues_ReadsWithoutScratch()
    {
        TestKernel.RequireRoot();
        int cpus = BpfMap.PossibleCpuCount;
        using var map = BpfMap.Create(BpfMapType.PerCpuHash, 4, 8, 4);
        var values = Enumerable.Range(0, cpus).Select(c => (long)c * 1000).ToArray();
        map.UpdatePerCpu(9, values.AsSpan());
        var read = new long[cpus];
        Assert.True(map.TryLookupPerCpu(9, read.AsSpan()));
        Assert.Equal(values, read);
        Assert.False(map.TryLookupPerCpu(10, read.AsSpan()));
    }

    [Fact]
    public void FrozenMap_RefusesUserSpaceWrites()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1);
        map.Update(0, 1L);
        map.Freeze();
        var e = Assert.Throws<BpfException>(() => map.Update(0, 2L));
        Assert.Equal("EPERM", e.ErrnoName);
        Assert.Equal(1L, map.Lookup<int, long>(0));
    }

    [Fact]
    public void DisposedMap_ThrowsObjectDisposed()
    {
        TestKernel.RequireRoot();
        var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1);
        map.Dispose();
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.Update(0, 1L));
    }
}
