using System.CommandLine;
using System.Text.Json;
using BpfSharp.Cli.Output;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp net list</c>: what is attached to the networking hooks of the tool's network namespace, asked of each
/// hook (bpftool's <c>net list</c>, with tcx, sk_lookup and netfilter too).
/// </summary>
internal static class NetCommand
{
    private sealed record TcEntry(string Device, int Ifindex, string Kind, string Name, uint ProgramId, uint LinkId);

    private sealed record NetfilterEntry(uint LinkId, uint ProgramId, uint ProtocolFamily, uint Hook, int Priority);

    public static Command Create()
    {
        var command = new Command("net", "Networking hooks of this network namespace: XDP, tc (tcx and clsact), flow dissector, sk_lookup, netfilter");
        var json = Cli.JsonOption();
        var list = new Command("list", "List the programs attached to each networking hook") { json };
        list.SetGuardedAction(r =>
        {
            var interfaces = AttachedPrograms.Interfaces();
            var tc = new List<TcEntry>();
            foreach (var i in interfaces)
            {
                foreach (var direction in new[] { TcDirection.Ingress, TcDirection.Egress })
                {
                    string side = direction == TcDirection.Ingress ? "ingress" : "egress";
                    foreach (var p in Tcx(i.Ifindex, direction))
                        tc.Add(new TcEntry(i.Name, i.Ifindex, $"tcx/{side}", ProgramName(p.ProgramId), p.ProgramId, p.LinkId));
                    foreach (var f in AttachedPrograms.TcFilters(i.Ifindex, direction))
                        tc.Add(new TcEntry(i.Name, i.Ifindex, $"clsact/{side}", f.Name, f.ProgramId, 0));
                }
            }
            // The namespace of this thread, which is the tool's (nsenter --net=... bpfsharp net list looks at another).
            const string netns = "/proc/thread-self/ns/net";
            var flowDissector = NamespacePrograms(netns, BpfAttachType.FlowDissector);
            var skLookup = NamespacePrograms(netns, BpfAttachType.SkLookup);
            var netfilter = NetfilterLinks();
            if (Cli.Json(r, json))
                WriteJson(interfaces, tc, flowDissector, skLookup, netfilter);
            else
                Print(interfaces, tc, flowDissector, skLookup, netfilter);
            return 0;
        });
        command.Subcommands.Add(list);
        command.Subcommands.Add(NetAttachCommand.Attach());
        command.Subcommands.Add(NetAttachCommand.Detach());
        return command;
    }

    /// <summary>The tcx programs of a hook; none where the kernel has no tcx (before 6.6 the query is refused).</summary>
    private static IReadOnlyList<AttachedProgram> Tcx(int ifindex, TcDirection direction)
    {
        if (!BpfFeatures.Tcx.IsSupported) return [];
        return AttachedPrograms.Tcx(ifindex, direction).Programs;
    }

    /// <summary>A namespace hook's programs; none where the kernel lacks the hook (sk_lookup came in 5.9: EINVAL before).</summary>
    private static IReadOnlyList<AttachedProgram> NamespacePrograms(string netns, BpfAttachType attachType)
    {
        try
        {
            return AttachedPrograms.NetworkNamespace(netns, attachType).Programs;
        }
        catch (BpfException e) when (e.Errno == Errno.EINVAL)
        {
            return [];
        }
    }

    private static string ProgramName(uint id)
    {
        try
        {
            using var p = BpfProgram.FromId(id);
            return p.Name;
        }
        catch (BpfException e) when (e.Errno == Errno.ENOENT)
        {
            return "";
        }
    }

    /// <summary>Netfilter hooks have no query of their own: their links are the list (of every namespace: a link does not say which).</summary>
    private static List<NetfilterEntry> NetfilterLinks()
    {
        var entries = new List<NetfilterEntry>();
        foreach (var info in Targets.OpenAll(BpfLink.EnumerateIds(), id =>
        {
            using var link = BpfLink.FromId(id);
            return link.GetInfo();
        }))
        {
            if (info is NetfilterLinkInfo nf)
                entries.Add(new NetfilterEntry(nf.Id, nf.ProgramId, nf.ProtocolFamily, nf.Hook, nf.Priority));
        }
        return entries;
    }

    private static string ModeName(XdpAttachedPrograms x) => x.Mode switch
    {
        BpfSharp.XdpMode.Native => "driver",
        BpfSharp.XdpMode.Generic => "generic",
        BpfSharp.XdpMode.Offload => "offload",
        _ => "multi",
    };

    private static void Print(IReadOnlyList<NetworkInterfaceXdp> interfaces, List<TcEntry> tc, IReadOnlyList<AttachedProgram> flowDissector,
        IReadOnlyList<AttachedProgram> skLookup, List<NetfilterEntry> netfilter)
    {
        Console.WriteLine("xdp:");
        foreach (var i in interfaces.Where(i => i.Xdp.Mode is not null))
        {
            if (i.Xdp.Mode == BpfSharp.XdpMode.Auto)
                Console.WriteLine($"{i.Name}({i.Ifindex}) multi generic id {i.Xdp.GenericProgramId} driver id {i.Xdp.NativeProgramId} offload id {i.Xdp.OffloadProgramId}");
            else
                Console.WriteLine($"{i.Name}({i.Ifindex}) {ModeName(i.Xdp)} id {i.Xdp.ProgramId}");
        }
        Console.WriteLine();
        Console.WriteLine("tc:");
        foreach (var t in tc)
            Console.WriteLine($"{t.Device}({t.Ifindex}) {t.Kind} {t.Name} prog_id {t.ProgramId}" + (t.LinkId != 0 ? $" link_id {t.LinkId}" : ""));
        Console.WriteLine();
        Console.WriteLine("flow_dissector:");
        foreach (var p in flowDissector) Console.WriteLine($"id {p.ProgramId}" + (p.LinkId != 0 ? $" link_id {p.LinkId}" : ""));
        Console.WriteLine();
        Console.WriteLine("sk_lookup:");
        foreach (var p in skLookup) Console.WriteLine($"id {p.ProgramId}" + (p.LinkId != 0 ? $" link_id {p.LinkId}" : ""));
        Console.WriteLine();
        Console.WriteLine("netfilter:");
        foreach (var n in netfilter)
            Console.WriteLine($"{(n.ProtocolFamily == 10 ? "ipv6" : n.ProtocolFamily == 2 ? "ipv4" : $"pf {n.ProtocolFamily}")} hook {n.Hook} prio {n.Priority} prog_id {n.ProgramId} link_id {n.LinkId}");
    }

    // bpftool's field names where it has the hook (xdp, tc, flow_dissector), its style for the others.
    private static void WriteJson(IReadOnlyList<NetworkInterfaceXdp> interfaces, List<TcEntry> tc, IReadOnlyList<AttachedProgram> flowDissector,
        IReadOnlyList<AttachedProgram> skLookup, List<NetfilterEntry> netfilter) => JsonOutput.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteStartArray("xdp");
        foreach (var i in interfaces.Where(i => i.Xdp.Mode is not null))
        {
            w.WriteStartObject();
            w.WriteString("devname", i.Name);
            w.WriteNumber("ifindex", i.Ifindex);
            w.WriteString("mode", ModeName(i.Xdp));
            w.WriteNumber("id", i.Xdp.ProgramId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("tc");
        foreach (var t in tc)
        {
            w.WriteStartObject();
            w.WriteString("devname", t.Device);
            w.WriteNumber("ifindex", t.Ifindex);
            w.WriteString("kind", t.Kind);
            w.WriteString("name", t.Name);
            // bpftool names a clsact filter's program "id", a tcx entry's "prog_id" with its "link_id".
            w.WriteNumber(t.LinkId != 0 || t.Kind.StartsWith("tcx", StringComparison.Ordinal) ? "prog_id" : "id", t.ProgramId);
            if (t.LinkId != 0) w.WriteNumber("link_id", t.LinkId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WritePrograms(w, "flow_dissector", flowDissector);
        WritePrograms(w, "sk_lookup", skLookup);
        w.WriteStartArray("netfilter");
        foreach (var n in netfilter)
        {
            w.WriteStartObject();
            w.WriteNumber("pf", n.ProtocolFamily);
            w.WriteNumber("hook", n.Hook);
            w.WriteNumber("prio", n.Priority);
            w.WriteNumber("prog_id", n.ProgramId);
            w.WriteNumber("link_id", n.LinkId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
    });

    private static void WritePrograms(Utf8JsonWriter w, string name, IReadOnlyList<AttachedProgram> programs)
    {
        w.WriteStartArray(name);
        foreach (var p in programs)
        {
            w.WriteStartObject();
            w.WriteNumber("id", p.ProgramId);
            if (p.LinkId != 0) w.WriteNumber("link_id", p.LinkId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
