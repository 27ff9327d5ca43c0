using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>Enum names as keys: what <c>map dump</c> prints (<c>PROTO_TCP</c>) is what lookup, update and delete take.</summary>
public sealed class CliMapEnumKeyTests
{
    [Fact]
    public void EnumNamesDumpPrintsAreAcceptedAsKeys()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        BpfSharpTool.Ok("run", BpfSharpTool.Example("pktcount.bpf.o"), "--duration", "0", "--pin", dir.Path, "--keep");
        try
        {
            string counts = Path.Combine(dir.Path, "maps", "counts");
            BpfSharpTool.Ok("map", "update", counts, "--key", "PROTO_TCP", "--value", "0a000000000000004000000000000000");
            // Stored under the enumerator's value (PROTO_TCP = 3), which dump prints back by name.
            using (var map = BpfMap.OpenPinned(counts))
                Assert.True(map.TryLookup(BitConverter.GetBytes(3), new byte[map.ValueBufferSize]));
            Assert.Contains("PROTO_TCP: cpu0={packets=10 bytes=64}", BpfSharpTool.Ok("map", "dump", counts).Stdout);
            Assert.Equal("PROTO_TCP", BpfSharpTool.Ok("-j", "map", "lookup", counts, "--key", "PROTO_TCP").Json.GetProperty("key").GetString());
            var unknown = BpfSharpTool.Run("map", "lookup", counts, "--key", "PROTO_NOPE");
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("enum protocol has no PROTO_NOPE (it has PROTO_OTHER, PROTO_ARP", unknown.Stderr);
            Assert.Equal(10, BpfSharpTool.Ok("-j", "map", "lookup", counts, "--key", "3").Json.GetProperty("values")[0].GetProperty("value").GetProperty("packets").GetInt32()); // numbers still work
            BpfSharpTool.Ok("map", "delete", counts, "--key", "PROTO_TCP");
            Assert.Contains("(0 elements)", BpfSharpTool.Ok("map", "dump", counts).Stdout);
        }
        finally
        {
            BpfSharpTool.Ok("unload", dir.Path);
        }
    }
}
