using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Maps;

public class MapIterationTests
{
    private const int Count = 100_000;

    [Fact]
    public void HundredThousandEntries_FillReadIterateBatchAndClear_AgreeWithBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, Count, new() { Name = "t_100k" });

        // Fill through batch update, half of it, and the other half element by element.
        var keys = Enumerable.Range(0, Count / 2).ToArray();
        var values = keys.Select(k => (long)k * 3).ToArray();
        Assert.Equal(Count / 2, map.UpdateBatch<int, long>(keys, values));
        for (int k = Count / 2; k < Count; k++) map.Update(k, (long)k * 3, BpfMapUpdateFlags.NoExist);

        // Read back.
        for (int k = 0; k < Count; k += 997) Assert.Equal((long)k * 3, map.Lookup<int, long>(k));

        // Iterate by next-key.
        var seen = new Dictionary<int, long>();
        foreach (var (k, v) in map.GetEntries<int, long>()) seen.Add(k, v);
        Assert.Equal(Count, seen.Count);
        Assert.All(seen, kv => Assert.Equal((long)kv.Key * 3, kv.Value));

        // Batch read.
        var batchSeen = new Dictionary<int, long>();
        var cursor = new BpfMapBatchCursor();
        var kbuf = new int[4096];
        var vbuf = new long[4096];
        while (!cursor.IsDone)
        {
            int n = map.LookupBatch<int, long>(cursor, kbuf, vbuf);
            for (int i = 0; i < n; i++) batchSeen.Add(kbuf[i], vbuf[i]);
        }
        Assert.Equal(seen, batchSeen);

        // bpftool, reading the same map by id, sees the same elements.
        var json = TestKernel.Run(bpftool, "map", "dump", "id", map.Id.ToString(), "-j");
        using var doc = JsonDocument.Parse(json);
        var fromBpftool = new Dictionary<int, long>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var key = BytesOf(e.GetProperty("key"));
            var value = BytesOf(e.GetProperty("value"));
            fromBpftool.Add(BitConverter.ToInt32(key), BitConverter.ToInt64(value));
        }
        Assert.Equal(seen, fromBpftool);

        // Clear: delete by batch, then the map is empty.
        var all = seen.Keys.ToArray();
        Assert.Equal(Count, map.DeleteBatch<int>(all));
        Assert.Empty(map.GetKeys<int>());
    }

    private static byte[] BytesOf(JsonElement hexArray) =>
        hexArray.EnumerateArray().Select(x => Convert.ToByte(x.GetString()!, 16)).ToArray();

    [Fact]
    public void LookupAndDeleteBatch_DrainsTheMap()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 1000);
        for (int k = 0; k < 1000; k++) map.Update(k, (long)k);
        var cursor = new BpfMapBatchCursor();
        var keys = new int[128];
        var values = new long[128];
        int total = 0;
        while (!cursor.IsDone)
        {
            int n = map.LookupAndDeleteBatch<int, long>(cursor, keys, values);
            for (int i = 0; i < n; i++) Assert.Equal(keys[i], values[i]);
            total += n;
        }
        Assert.Equal(1000, total);
        Assert.False(map.TryGetFirstKey(out int _));
    }

    [Fact]
    public void ByteKeyIteration_MatchesTypedIteration()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 16);
        for (int k = 0; k < 10; k++) map.Update(k, (long)-k);
        var typed = map.GetKeys<int>().Order().ToArray();
        var bytes = map.GetKeys().Select(b => BitConverter.ToInt32(b)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10), typed);
        Assert.Equal(typed, bytes);
        Assert.All(map.GetEntries(), kv => Assert.Equal(-BitConverter.ToInt32(kv.Key), BitConverter.ToInt64(kv.Value)));
    }

    [Fact]
    public void PerCpuBatch_ReturnsOneSlotPerCpuPerKey()
    {
        TestKernel.RequireRoot();
        int cpus = BpfMap.PossibleCpuCount;
        using var map = BpfMap.Create(BpfMapType.PerCpuHash, 4, 8, 16);
        for (int k = 0; k < 5; k++) map.UpdatePerCpu(k, Enumerable.Range(0, cpus).Select(c => (long)(k * 10 + c)).ToArray().AsSpan());
        var keys = new int[16];
        var values = new long[16 * cpus];
        var cursor = new BpfMapBatchCursor();
        int n = 0;
        while (!cursor.IsDone) n += map.LookupBatch<int, long>(cursor, keys.AsSpan(n), values.AsSpan(n * cpus));
        Assert.Equal(5, n);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < cpus; c++)
                Assert.Equal(keys[i] * 10 + c, values[i * cpus + c]);
    }
}
