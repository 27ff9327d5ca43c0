using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// Map elements decoded through the map's BTF: pktcount kept and pinned, its XDP program test-run on packets the
/// test builds, then its per-CPU hash dumped with enum keys by name and struct values by field.
/// </summary>
public sealed class CliMapDecodeTests
{
    private static byte[] Packet(ushort etherType, byte ipProtocol = 0)
    {
        var p = new byte[64];
        p[12] = (byte)(etherType >> 8);
        p[13] = (byte)etherType;
        if (etherType == 0x0800)
        {
            p[14] = 0x45;
            p[14 + 9] = ipProtocol;
        }
        return p;
    }

    [Fact]
    public void PktcountCountsShownByProtocolName()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        string tcp = Path.GetTempFileName(), arp = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(tcp, Packet(0x0800, 6));
            File.WriteAllBytes(arp, Packet(0x0806));
            BpfSharpTool.Ok("run", BpfSharpTool.Example("pktcount.bpf.o"), "--duration", "0", "--pin", dir.Path, "--keep");
            string prog = Path.Combine(dir.Path, "progs", "count_packets");
            Assert.Equal(2, BpfSharpTool.Ok("prog", "run", prog, "--data-in", tcp, "--repeat", "3", "--json").Json.GetProperty("retval").GetInt32());
            BpfSharpTool.Ok("prog", "run", prog, "--data-in", arp);

            var dump = BpfSharpTool.Ok("map", "dump", Path.Combine(dir.Path, "maps", "counts"), "--json").Json;
            var byKey = dump.EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!,
                e => e.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("value")).ToList());
            Assert.Equal(["PROTO_ARP", "PROTO_TCP"], byKey.Keys.Order());
            Assert.Equal(3, byKey["PROTO_TCP"].Sum(v => v.GetProperty("packets").GetInt64()));
            Assert.Equal(3 * 64, byKey["PROTO_TCP"].Sum(v => v.GetProperty("bytes").GetInt64()));
            Assert.Equal(1, byKey["PROTO_ARP"].Sum(v => v.GetProperty("packets").GetInt64()));

            var text = BpfSharpTool.Ok("map", "dump", Path.Combine(dir.Path, "maps", "counts")).Stdout;
            Assert.Contains(text.Split('\n'), l => l.StartsWith("PROTO_TCP: cpu0={packets=", StringComparison.Ordinal));

            BpfSharpTool.Ok("unload", dir.Path);
            Assert.False(Directory.Exists(dir.Path));
        }
        finally
        {
            File.Delete(tcp);
            File.Delete(arp);
        }
    }

    [Fact]
    public void Interface_AttachesTheXdpProgramThere_AndItCountsRealPackets()
    {
        TestKernel.RequireRoot();
        string nsenter = TestKernel.RequireTool("nsenter");
        var (near, far) = TestNetns.CreateVethPair();
        using var nearNs = near;
        using var farNs = far;
        using var dir = new TempBpfFsDir();
        // nsenter keeps the mounts (bpffs) and enters only the namespace that holds veth0.
        TestKernel.Run(nsenter, "--net=" + near.Path, "dotnet", Path.Combine(AppContext.BaseDirectory, "BpfSharp.Cli.dll"),
            "run", BpfSharpTool.Example("pktcount.bpf.o"), "--interface", "veth0", "--duration", "0", "--pin", dir.Path, "--keep");
        try
        {
            far.Run(() =>
            {
                using var udp = new System.Net.Sockets.UdpClient();
                for (int i = 0; i < 20; i++) udp.Send(new byte[32], 32, TestNetns.NearAddress, 9);
            });
            var dump = BpfSharpTool.Ok("map", "dump", Path.Combine(dir.Path, "maps", "counts"), "--json").Json;
            long udpPackets = dump.EnumerateArray().Where(e => e.GetProperty("key").GetString() == "PROTO_UDP")
                .SelectMany(e => e.GetProperty("values").EnumerateArray()).Sum(v => v.GetProperty("value").GetProperty("packets").GetInt64());
            Assert.True(udpPackets >= 20, $"{udpPackets} UDP packets counted at veth0's XDP hook");
            Assert.Contains("xdp", near.Ip("link", "show", "veth0"));
        }
        finally
        {
            BpfSharpTool.Run("unload", dir.Path);
        }
        Assert.DoesNotContain("prog/xdp", near.Ip("link", "show", "veth0"));
    }

    [Fact]
    public void GlobalVariablesShownByNameAfterASyscallProgramRuns()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        var run = BpfSharpTool.Ok("run", BpfSharpTool.Fixture("globals.bpf.o"), "--duration", "0", "--pin", dir.Path, "--keep", "--json");
        var data = run.JsonLines.Single().GetProperty("maps").GetProperty("globals.data").EnumerateArray().Single().GetProperty("value");
        Assert.Equal(7, data.GetProperty("data_int").GetInt32());
        Assert.Equal([1, 2, 3, 4], data.GetProperty("data_array").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(20, data.GetProperty("data_pair").GetProperty("b").GetInt32());

        // bump_globals (SEC("syscall")) runs without context: then bss_int = 1, bss_pair = {1, 2}, bss_array[7] = 77.
        Assert.Equal(1, BpfSharpTool.Ok("prog", "run", Path.Combine(dir.Path, "progs", "bump_globals"), "--json").Json.GetProperty("retval").GetInt32());
        var bss = BpfSharpTool.Ok("map", "dump", Path.Combine(dir.Path, "maps", "globals_bss"), "--json").Json.EnumerateArray().Single().GetProperty("value");
        Assert.Equal(1, bss.GetProperty("bss_int").GetInt32());
        Assert.Equal(2, bss.GetProperty("bss_pair").GetProperty("b").GetInt32());
        Assert.Equal(77, bss.GetProperty("bss_array")[7].GetInt32());
        Assert.Equal("0: {bss_int=1 bss_pair={a=1 b=2} bss_array=[0 0 0 0 0 0 0 77]}",
            BpfSharpTool.Ok("map", "dump", Path.Combine(dir.Path, "maps", "globals_bss")).Stdout.Split('\n')[0]);
        BpfSharpTool.Ok("unload", dir.Path);
    }
}
