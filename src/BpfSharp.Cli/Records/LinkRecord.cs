using System.Globalization;
using System.Text.Json.Serialization;
using BpfSharp.Cli.Output;
using BpfSharp.Links;

namespace BpfSharp.Cli.Records;

/// <summary>
/// A link as <c>link list/show</c> print it: id, type and program, then its kind's fields under bpftool's names
/// (<c>bpftool -j link show</c>); fields another kind has are left out of the JSON.
/// </summary>
internal sealed record LinkRecord(uint Id, string Type, uint ProgId) : IObjectRecord<LinkRecord>
{
    public string? TpName { get; init; }
    public string? AttachType { get; init; }
    public uint? TargetObjId { get; init; }
    public uint? TargetBtfId { get; init; }
    public ulong? CgroupId { get; init; }
    public string? TargetName { get; init; }
    public uint? MapId { get; init; }
    public uint? NetnsIno { get; init; }
    public int? Ifindex { get; init; }
    public uint? Pf { get; init; }
    public uint? Hook { get; init; }
    public int? Prio { get; init; }
    public uint? Flags { get; init; }
    public uint? FuncCnt { get; init; }
    public ulong? Missed { get; init; }
    public string? Path { get; init; }
    public uint? Pid { get; init; }
    public string? EventType { get; init; }
    public string? Tracepoint { get; init; }
    public string? Name { get; init; }
    public ulong? Offset { get; init; }
    public ulong? Addr { get; init; }
    public ulong? Cookie { get; init; }

    /// <summary>Where the link attaches, in a few words (the text forms).</summary>
    [JsonIgnore] public string AttachedTo { get; init; } = "";

    [JsonIgnore] public string? PinPath { get; init; }

    public static LinkRecord Of(BpfLinkInfo info, string? pinPath = null)
    {
        var r = new LinkRecord(info.Id, KernelNames.Of(info.Type), info.ProgramId) { AttachedTo = Describe(info), PinPath = pinPath };
        return info switch
        {
            RawTracepointLinkInfo i => r with { TpName = i.TracepointName },
            TracingLinkInfo i => r with { AttachType = KernelNames.Of(i.AttachType), TargetObjId = i.TargetObjectId, TargetBtfId = i.TargetBtfId },
            CgroupLinkInfo i => r with { CgroupId = i.CgroupId, AttachType = KernelNames.Of(i.AttachType) },
            IterLinkInfo i => r with { TargetName = i.Target, MapId = i.MapId != 0 ? i.MapId : null },
            NetnsLinkInfo i => r with { NetnsIno = i.NetnsInode, AttachType = KernelNames.Of(i.AttachType) },
            XdpLinkInfo i => r with { Ifindex = i.Ifindex },
            StructOpsLinkInfo i => r with { MapId = i.MapId },
            NetfilterLinkInfo i => r with { Pf = i.ProtocolFamily, Hook = i.Hook, Prio = i.Priority, Flags = i.Flags },
            KprobeMultiLinkInfo i => r with { FuncCnt = i.Count, Missed = i.Missed },
            UprobeMultiLinkInfo i => r with { Path = i.Path, FuncCnt = i.Count, Pid = i.Pid },
            TcxLinkInfo i => r with { Ifindex = i.Ifindex, AttachType = KernelNames.Of(i.AttachType) },
            NetkitLinkInfo i => r with { Ifindex = i.Ifindex, AttachType = KernelNames.Of(i.AttachType) },
            SockmapLinkInfo i => r with { MapId = i.MapId, AttachType = KernelNames.Of(i.AttachType) },
            PerfEventLinkInfo i => r with
            {
                EventType = i.Event.ToString().ToLowerInvariant(),
                Tracepoint = i.Event == PerfEventLinkKind.Tracepoint && i.Name.Length > 0 ? i.Name : null,
                Name = i.Event != PerfEventLinkKind.Tracepoint && i.Name.Length > 0 ? i.Name : null,
                Offset = i.Offset != 0 ? i.Offset : null,
                Addr = i.Address != 0 ? i.Address : null,
                Cookie = i.Cookie != 0 ? i.Cookie : null,
            },
            _ => r,
        };
    }

    public static TextTable NewTable() => new TextTable("ID", "TYPE", "PROG", "ATTACHED TO").RightAlign("ID", "PROG");

    public void AddRow(TextTable table) => table.Add(Id, Type, ProgId, AttachedTo);

    public IEnumerable<(string Name, string Value)> DetailRows()
    {
        yield return ("id", Id.ToString(CultureInfo.InvariantCulture));
        yield return ("type", Type);
        yield return ("prog id", ProgId.ToString(CultureInfo.InvariantCulture));
        yield return ("attached to", AttachedTo);
        if (PinPath is not null) yield return ("pinned", PinPath);
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
}
