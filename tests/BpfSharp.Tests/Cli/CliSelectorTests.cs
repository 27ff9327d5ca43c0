using System.Text.Json;
using BpfSharp.Asm;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Cli;

/// <summary>bpftool's selectors (<c>id</c>, <c>pinned</c>, <c>name</c>, <c>tag</c>), checked against what bpftool selects.</summary>
public sealed class CliSelectorTests
{
    private static BpfProgram Load(string name, int ret) => BpfProgram.Load(BpfProgramType.SocketFilter,
        new BpfAssembler().Mov64(R0, ret).Exit().Build(), new BpfProgramLoadOptions { Name = name });

    private static uint[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetProperty("id").GetUInt32()).Order()];

    [Fact]
    public void NameAndTagSelectWhatBpftoolSelects()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        string name = $"hsel{Environment.ProcessId % 100000}";
        using var a = Load(name, 0);
        using var b = Load(name, 0);   // same name and instructions: same tag
        using var c = Load(name, 1);   // same name, another tag
        var theirsByName = JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "prog", "show", "name", name)).RootElement;
        var oursByName = BpfSharpTool.Ok("-j", "prog", "show", "name", name).Json;
        Assert.Equal([a.Id, b.Id, c.Id], Ids(oursByName).Order());
        Assert.Equal(Ids(theirsByName), Ids(oursByName));

        string tag = a.GetInfo().Tag;
        var theirsByTag = JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "prog", "show", "tag", tag)).RootElement;
        var oursByTag = BpfSharpTool.Ok("prog", "show", "tag", tag, "-j").Json;
        Assert.Contains(a.Id, Ids(oursByTag));
        Assert.Contains(b.Id, Ids(oursByTag));
        Assert.DoesNotContain(c.Id, Ids(oursByTag));
        Assert.Equal(Ids(theirsByTag), Ids(oursByTag));

        // id selects one, as a bare number does; commands that act on one refuse a name several share, naming them
        // (prog dump, as bpftool's, dumps each of them: CliProgDumpSeveralTests).
        Assert.Equal(c.Id, BpfSharpTool.Ok("-j", "prog", "show", "id", c.Id.ToString()).Json.GetProperty("id").GetUInt32());
        var ambiguous = BpfSharpTool.Run("prog", "run", "name", name);
        Assert.Equal(1, ambiguous.ExitCode);
        Assert.Contains($"name {name} selects 3 programs", ambiguous.Stderr);
        Assert.Contains(c.Id.ToString(), ambiguous.Stderr);
        var none = BpfSharpTool.Run("prog", "show", "name", name + "x");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains($"no program has name {name}x", none.Stderr);
    }

    [Fact]
    public void PinnedAndNameForMaps()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        Directory.CreateDirectory(dir.Path);
        string name = $"hselm{Environment.ProcessId % 100000}";
        using var map = BpfMap.Create(BpfMapType.Array, 4, 4, 1, new BpfMapCreateOptions { Name = name });
        map.Pin(dir["m"]);
        Assert.Equal(map.Id, BpfSharpTool.Ok("-j", "map", "show", "pinned", dir["m"]).Json.GetProperty("id").GetUInt32());
        Assert.Equal([map.Id], Ids(BpfSharpTool.Ok("-j", "map", "show", "name", name).Json));
        // A selector works wherever a map is taken, not only in show.
        BpfSharpTool.Ok("map", "update", "name", name, "--key", "0", "--value", "5");
        Assert.Equal(5, map.Lookup<int, int>(0));
        // The word "name" as a value of an option is left alone.
        Assert.Equal(1, BpfSharpTool.Run("map", "lookup", "id", map.Id.ToString(), "--key", "name").ExitCode);
    }
}
