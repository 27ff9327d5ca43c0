using System.CommandLine;
using System.Text.Json;
using BpfSharp.Cli.Output;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp link list|show|pin|unpin|detach|update</c>: the system's BPF links.</summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var command = new Command("link", "BPF links (attachments): list, show, pin, unpin, detach, update");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Pin());
        command.Subcommands.Add(Unpin());
        command.Subcommands.Add(Detach());
        command.Subcommands.Add(Update());
        return command;
    }

    private static Argument<string> LinkArgument() => new("LINK") { Description = Targets.Help };

    /// <summary>Opens a link only to read about it: disposing must not detach it, whatever holds it.</summary>
    private static BpfLink OpenForReading(string target)
    {
        var link = Targets.Link(target);
        link.Disconnect();
        return link;
    }

    private static void Release(BpfLink link) => link.Handle?.Dispose(); // closing our fd leaves the link to its other holders

    private static Command List()
    {
        var json = Cli.JsonOption();
        var command = new Command("list", "List every link") { json };
        command.SetGuardedAction(r =>
        {
            var infos = Targets.OpenAll(BpfLink.EnumerateIds(), id =>
            {
                var link = BpfLink.FromId(id);
                link.Disconnect();
                try { return link.GetInfo(); }
                finally { Release(link); }
            }).ToList();
            if (r.GetValue(json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartArray();
                    foreach (var i in infos) WriteJson(w, i);
                    w.WriteEndArray();
                });
                return 0;
            }
            var table = new TextTable("ID", "TYPE", "PROG", "ATTACHED TO").RightAlign("ID", "PROG");
            foreach (var i in infos) table.Add(i.Id, KernelNames.Of(i.Type), i.ProgramId, Describe(i));
            table.Write(Console.Out);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var json = Cli.JsonOption();
        var target = LinkArgument();
        var command = new Command("show", "Show one link") { target, json };
        command.SetGuardedAction(r =>
        {
            var link = OpenForReading(r.GetValue(target)!);
            try
            {
                var i = link.GetInfo();
                if (r.GetValue(json))
                {
                    JsonOutput.Write(w => WriteJson(w, i));
                    return 0;
                }
                var rows = new List<(string, string)>
                {
                    ("id", i.Id.ToString()),
                    ("type", KernelNames.Of(i.Type)),
                    ("prog id", i.ProgramId.ToString()),
                    ("attached to", Describe(i)),
                };
                if (link.PinPath is not null) rows.Add(("pinned", link.PinPath));
                Details.Write(rows);
                return 0;
            }
            finally { Release(link); }
        });
        return command;
    }

    private static Command Pin()
    {
        var target = LinkArgument();
        var path = new Argument<string>("PATH") { Description = "Where to pin it in bpffs" };
        var command = new Command("pin", "Pin a link in bpffs: it then stays attached after every fd is closed") { target, path };
        command.SetGuardedAction(r =>
        {
            var link = OpenForReading(r.GetValue(target)!);
            try
            {
                link.Pin(r.GetValue(path)!);
                Console.WriteLine($"pinned link {link.Id} at {link.PinPath}");
            }
            finally { Release(link); }
            return 0;
        });
        return command;
    }

    private static Command Unpin()
    {
        var path = new Argument<string>("PATH") { Description = "The link's pin" };
        var command = new Command("unpin", "Remove a link's pin: the link is detached unless something else holds it") { path };
        command.SetGuardedAction(r =>
        {
            var link = PinnedObjects.OpenLink(r.GetValue(path)!);
            link.Disconnect();
            try { link.Unpin(); }
            finally { Release(link); }
            return 0;
        });
        return command;
    }

    private static Command Detach()
    {
        var target = LinkArgument();
        var command = new Command("detach", "Detach a link now (BPF_LINK_DETACH); kinds the kernel cannot detach say so") { target };
        command.SetGuardedAction(r =>
        {
            var link = OpenForReading(r.GetValue(target)!);
            try { link.Detach(); }
            finally { Release(link); }
            return 0;
        });
        return command;
    }

    private static Command Update()
    {
        var target = LinkArgument();
        var program = new Option<string>("--program") { HelpName = "PROG", Description = "The new program (id or pin)", Required = true };
        var expect = new Option<string?>("--expect") { HelpName = "PROG", Description = "Replace only if this program (id or pin) is the link's now" };
        var command = new Command("update", "Replace a link's program atomically (BPF_LINK_UPDATE)") { target, program, expect };
        command.SetGuardedAction(r =>
        {
            var link = OpenForReading(r.GetValue(target)!);
            try
            {
                using var newProgram = Targets.Program(r.GetValue(program)!);
                using var old = r.GetValue(expect) is { } e ? Targets.Program(e) : null;
                link.Update(newProgram, old);
            }
            finally { Release(link); }
            return 0;
        });
        return command;
    }

    /// <summary>Where the link attaches, in a few words.</summary>
    internal static string Describe(BpfLinkInfo info) => info switch
    {
        RawTracepointLinkInfo i => $"raw tracepoint {i.TracepointName}",
        TracingLinkInfo i => $"{KernelNames.Of(i.AttachType)} btf id {i.TargetBtfId} of object {i.TargetObjectId}",
        CgroupLinkInfo i => $"cgroup {i.CgroupId} {KernelNames.Of(i.AttachType)}",
        IterLinkInfo i => $"iterator {i.Target}{(i.MapId != 0 ? $" map {i.MapId}" : "")}",
        NetnsLinkInfo i => $"netns {i.NetnsInode} {KernelNames.Of(i.AttachType)}",
        XdpLinkInfo i => i.Ifindex == 0 ? "detached" : $"xdp ifindex {i.Ifindex}",
        StructOpsLinkInfo i => $"struct_ops map {i.MapId}",
        NetfilterLinkInfo i => $"netfilter pf {i.ProtocolFamily} hook {i.Hook} priority {i.Priority}",
        KprobeMultiLinkInfo i => $"{i.Count} kprobes{(i.Missed != 0 ? $", {i.Missed} missed" : "")}",
        UprobeMultiLinkInfo i => $"{i.Count} uprobes in {i.Path}{(i.Pid != 0 ? $" pid {i.Pid}" : "")}",
        TcxLinkInfo i => $"tcx ifindex {i.Ifindex} {KernelNames.Of(i.AttachType)}",
        NetkitLinkInfo i => $"netkit ifindex {i.Ifindex} {KernelNames.Of(i.AttachType)}",
        SockmapLinkInfo i => $"sockmap {i.MapId} {KernelNames.Of(i.AttachType)}",
        PerfEventLinkInfo i => i.Event switch
        {
            PerfEventLinkKind.Tracepoint => $"tracepoint {i.Name}",
            PerfEventLinkKind.Kprobe or PerfEventLinkKind.Kretprobe => $"{i.Event.ToString().ToLowerInvariant()} {i.Name}{(i.Offset != 0 ? $"+{i.Offset}" : "")}",
            PerfEventLinkKind.Uprobe or PerfEventLinkKind.Uretprobe => $"{i.Event.ToString().ToLowerInvariant()} {i.Name}+0x{i.Offset:x}",
            PerfEventLinkKind.Event => $"perf event type {i.EventType} config {i.EventConfig}",
            _ => "perf event",
        },
        _ => "",
    };

    /// <summary>bpftool's field names where it has them, so the two outputs compare directly.</summary>
    internal static void WriteJson(Utf8JsonWriter w, BpfLinkInfo info)
    {
        w.WriteStartObject();
        w.WriteNumber("id", info.Id);
        w.WriteString("type", KernelNames.Of(info.Type));
        w.WriteNumber("prog_id", info.ProgramId);
        switch (info)
        {
            case RawTracepointLinkInfo i: w.WriteString("tp_name", i.TracepointName); break;
            case TracingLinkInfo i:
                w.WriteString("attach_type", KernelNames.Of(i.AttachType));
                w.WriteNumber("target_obj_id", i.TargetObjectId);
                w.WriteNumber("target_btf_id", i.TargetBtfId);
                break;
            case CgroupLinkInfo i:
                w.WriteNumber("cgroup_id", i.CgroupId);
                w.WriteString("attach_type", KernelNames.Of(i.AttachType));
                break;
            case IterLinkInfo i:
                w.WriteString("target_name", i.Target);
                if (i.MapId != 0) w.WriteNumber("map_id", i.MapId);
                break;
            case NetnsLinkInfo i:
                w.WriteNumber("netns_ino", i.NetnsInode);
                w.WriteString("attach_type", KernelNames.Of(i.AttachType));
                break;
            case XdpLinkInfo i: w.WriteNumber("ifindex", i.Ifindex); break;
            case StructOpsLinkInfo i: w.WriteNumber("map_id", i.MapId); break;
            case NetfilterLinkInfo i:
                w.WriteNumber("pf", i.ProtocolFamily);
                w.WriteNumber("hook", i.Hook);
                w.WriteNumber("prio", i.Priority);
                w.WriteNumber("flags", i.Flags);
                break;
            case KprobeMultiLinkInfo i:
                w.WriteNumber("func_cnt", i.Count);
                w.WriteNumber("missed", i.Missed);
                break;
            case UprobeMultiLinkInfo i:
                w.WriteString("path", i.Path);
                w.WriteNumber("func_cnt", i.Count);
                w.WriteNumber("pid", i.Pid);
                break;
            case TcxLinkInfo i:
                w.WriteNumber("ifindex", i.Ifindex);
                w.WriteString("attach_type", KernelNames.Of(i.AttachType));
                break;
            case NetkitLinkInfo i:
                w.WriteNumber("ifindex", i.Ifindex);
                w.WriteString("attach_type", KernelNames.Of(i.AttachType));
                break;
            case SockmapLinkInfo i:
                w.WriteNumber("map_id", i.MapId);
                w.WriteString("attach_type", KernelNames.Of(i.AttachType));
                break;
            case PerfEventLinkInfo i:
                w.WriteString("event_type", i.Event.ToString().ToLowerInvariant());
                if (i.Name.Length > 0) w.WriteString(i.Event == PerfEventLinkKind.Tracepoint ? "tracepoint" : "name", i.Name);
                if (i.Offset != 0) w.WriteNumber("offset", i.Offset);
                if (i.Address != 0) w.WriteNumber("addr", i.Address);
                if (i.Cookie != 0) w.WriteNumber("cookie", i.Cookie);
                break;
        }
        w.WriteEndObject();
    }
}
