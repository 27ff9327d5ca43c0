using System.Text.Json;
using BpfSharp.Links;
using BpfSharp.Tests.Links;
using BpfSharp.Tests.Support;
using BpfSharp.TestChild;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp net list</c> in a namespace created here, with a program on each networking hook; bpftool is the
/// witness for the hooks it knows (XDP and clsact).
/// </summary>
public sealed class CliNetTests
{
    [Fact]
    public void NetList_ShowsEveryHooksPrograms_AsBpftoolDoesForXdpAndClsact()
    {
        TestKernel.RequireRoot();
        string nsenter = TestKernel.RequireTool("nsenter");
        string bpftool = TestKernel.RequireTool("bpftool");
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var xdp = NetworkTestPrograms.Xdp(counts, "t_net_xdp");
        using var cls = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk, "t_net_cls");
        using var lookup = NetworkTestPrograms.Load(BpfProgramType.SkLookup, counts, NetworkTestPrograms.SkPass, BpfAttachType.SkLookup, "t_net_lookup");
        using var xdpLink = ns.Run(() => xdp.AttachXdp("lo"));
        using var filter = ns.Run(() => cls.AttachTcFilter("lo", TcDirection.Ingress));
        using var lookupLink = lookup.AttachNetns(ns.Path);
        int lo = ns.IndexOf("lo");

        var ours = Json(TestKernel.Run(nsenter, "--net=" + ns.Path, "dotnet", Path.Combine(AppContext.BaseDirectory, "BpfSharp.Cli.dll"), "net", "list", "--json"));
        var theirs = Json(TestKernel.Run(nsenter, "--net=" + ns.Path, bpftool, "net", "list", "-j"));

        var x = Assert.Single(ours.GetProperty("xdp").EnumerateArray());
        Assert.Equal(("lo", lo, "generic", xdp.Id), (x.GetProperty("devname").GetString(), x.GetProperty("ifindex").GetInt32(), x.GetProperty("mode").GetString(), x.GetProperty("id").GetUInt32()));
        Assert.Equal(theirs.GetProperty("xdp").ToString(), ours.GetProperty("xdp").ToString());

        var clsact = Assert.Single(ours.GetProperty("tc").EnumerateArray(), e => e.GetProperty("kind").GetString() == "clsact/ingress");
        Assert.Equal(cls.Id, clsact.GetProperty("id").GetUInt32());
        var bpftoolTc = Assert.Single(theirs.GetProperty("tc").EnumerateArray());
        foreach (var field in new[] { "devname", "ifindex", "kind", "name", "id" })
            Assert.Equal(bpftoolTc.GetProperty(field).ToString(), clsact.GetProperty(field).ToString());

        var sk = Assert.Single(ours.GetProperty("sk_lookup").EnumerateArray());
        Assert.Equal(lookup.Id, sk.GetProperty("id").GetUInt32()); // a namespace's query reports programs, not links
        Assert.Empty(ours.GetProperty("flow_dissector").EnumerateArray());

        // The host's namespace has none of these.
        var host = BpfSharpTool.Ok("net", "list", "--json").Json[0];
        Assert.DoesNotContain(host.GetProperty("xdp").EnumerateArray(), e => e.GetProperty("id").GetUInt32() == xdp.Id);
        Assert.DoesNotContain(host.GetProperty("sk_lookup").EnumerateArray(), e => e.GetProperty("id").GetUInt32() == lookup.Id);
    }

    [Fact]
    public void NetList_ShowsTcxLinks_AndNetfilterLinks()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        TestKernel.RequireFeature(BpfFeatures.Netfilter);
        string nsenter = TestKernel.RequireTool("nsenter");
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var cls = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcxNext, "t_net_tcx");
        using var nf = NetworkTestPrograms.Load(BpfProgramType.Netfilter, counts, NetworkTestPrograms.NfAccept, BpfAttachType.Netfilter, "t_net_nf");
        using var tcx = ns.Run(() => cls.AttachTcx("lo", TcDirection.Egress));
        using var nfLink = ns.Run(() => nf.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.LocalIn, 17));

        var ours = Json(TestKernel.Run(nsenter, "--net=" + ns.Path, "dotnet", Path.Combine(AppContext.BaseDirectory, "BpfSharp.Cli.dll"), "net", "list", "--json"));
        var t = Assert.Single(ours.GetProperty("tc").EnumerateArray());
        Assert.Equal(("lo", "tcx/egress", "t_net_tcx", cls.Id, tcx.Id),
            (t.GetProperty("devname").GetString(), t.GetProperty("kind").GetString(), t.GetProperty("name").GetString(), t.GetProperty("prog_id").GetUInt32(), t.GetProperty("link_id").GetUInt32()));
        var n = Assert.Single(ours.GetProperty("netfilter").EnumerateArray(), e => e.GetProperty("link_id").GetUInt32() == nfLink.Id);
        Assert.Equal((2u, 1u, 17, nf.Id), (n.GetProperty("pf").GetUInt32(), n.GetProperty("hook").GetUInt32(), n.GetProperty("prio").GetInt32(), n.GetProperty("prog_id").GetUInt32()));
    }

    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement[0];
}
