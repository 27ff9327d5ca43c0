using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// bpftool's map verbs beside bpftool itself: <c>map create</c> (the map bpftool then shows), <c>push/enqueue</c>
/// and <c>peek/pop/dequeue</c> interleaved with bpftool's own push and peek on the same queue, <c>freeze</c>.
/// </summary>
public sealed class CliMapVerbTests
{
    [Fact]
    public void CreateMakesTheMapBpftoolShows()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var dir = new TempBpfFsDir();
        Directory.CreateDirectory(dir.Path);
        BpfSharpTool.Ok("map", "create", dir["h"], "--type", "hash", "--key", "4", "--value", "8", "--entries", "32", "--name", "helper_tool_h", "--flags", "0x1");
        var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "map", "show", "pinned", dir["h"])).RootElement;
        Assert.Equal("hash", theirs.GetProperty("type").GetString());
        Assert.Equal("helper_tool_h", theirs.GetProperty("name").GetString());
        Assert.Equal(1, theirs.GetProperty("flags").GetInt32()); // BPF_F_NO_PREALLOC
        Assert.Equal(4, theirs.GetProperty("bytes_key").GetInt32());
        Assert.Equal(8, theirs.GetProperty("bytes_value").GetInt32());
        Assert.Equal(32, theirs.GetProperty("max_entries").GetInt32());
        var bad = BpfSharpTool.Run("map", "create", dir["x"], "--type", "no_such_type", "--entries", "1");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("no such map type", bad.Stderr);
        Assert.False(File.Exists(dir["x"]));
    }

    [Fact]
    public void QueueVerbsInterleavedWithBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var dir = new TempBpfFsDir();
        Directory.CreateDirectory(dir.Path);
        string q = dir["q"];
        BpfSharpTool.Ok("map", "create", q, "--type", "queue", "--value", "4", "--entries", "8", "--name", "helper_tool_q");
        BpfSharpTool.Ok("map", "push", q, "--value", "7");
        TestKernel.Run(bpftool, "map", "enqueue", "pinned", q, "value", "9", "0", "0", "0");
        BpfSharpTool.Ok("map", "enqueue", q, "--value", "0x0b");
        // peek leaves the head: bpftool and bpfsharp see the same value, twice.
        var theirs = JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "map", "peek", "pinned", q)).RootElement;
        var ours = BpfSharpTool.Ok("-j", "map", "peek", q).Json;
        Assert.Equal(theirs.GetProperty("value").ToString(), ours.GetProperty("value").ToString());
        Assert.Equal("value: 07 00 00 00", BpfSharpTool.Ok("map", "pop", q).Stdout.Trim());
        Assert.Equal("value: 09 00 00 00", BpfSharpTool.Ok("map", "dequeue", q).Stdout.Trim());
        Assert.Contains("\"0x0b\"", TestKernel.Run(bpftool, "-j", "map", "pop", "pinned", q));
        var empty = BpfSharpTool.Run("map", "pop", q);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("is empty", empty.Stderr);
    }

    [Fact]
    public void StackPopsLastInFirstOut_AndKeyedMapsAreRefused()
    {
        TestKernel.RequireRoot();
        using var stack = BpfMap.Create(BpfMapType.Stack, 0, 8, 4, new BpfMapCreateOptions { Name = "helper_tool_s" });
        string id = stack.Id.ToString();
        BpfSharpTool.Ok("map", "push", id, "--value", "1");
        BpfSharpTool.Ok("map", "push", id, "--value", "2");
        Assert.True(stack.TryPeek(out long top));
        Assert.Equal(2, top);
        Assert.Equal("0x02", BpfSharpTool.Ok("map", "pop", id, "-j").Json.GetProperty("value")[0].GetString());
        using var hash = BpfMap.Create(BpfMapType.Hash, 4, 4, 4, new BpfMapCreateOptions { Name = "helper_tool_k" });
        var keyed = BpfSharpTool.Run("map", "pop", hash.Id.ToString());
        Assert.Equal(1, keyed.ExitCode);
        Assert.Contains("--key", keyed.Stderr);
    }

    [Fact]
    public void FreezeIsWhatBpftoolReports()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var map = BpfMap.Create(BpfMapType.Array, 4, 4, 2, new BpfMapCreateOptions { Name = "helper_tool_f" });
        BpfSharpTool.Ok("map", "freeze", map.Id.ToString());
        Assert.Equal(1, JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "map", "show", "id", map.Id.ToString())).RootElement.GetProperty("frozen").GetInt32());
        Assert.NotEqual(0, BpfSharpTool.Run("map", "update", map.Id.ToString(), "--key", "0", "--value", "1").ExitCode);
    }
}
