using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>What the kernel reports about a link (BPF_OBJ_GET_INFO_BY_FD); derived records add the type's own fields.</summary>
public record BpfLinkInfo(uint Id, BpfLinkType Type, uint ProgramId)
{
    internal static unsafe BpfLinkInfo ReadHead(SafeFdHandle fd)
    {
        var raw = Bpf.GetInfo<BpfLinkInfoRaw>(fd, "link");
        return new BpfLinkInfo(raw.id, (BpfLinkType)raw.type, raw.prog_id);
    }

    /// <summary>Reads the info twice: once to learn the type, once with room for the type's strings.</summary>
    internal static unsafe BpfLinkInfo Read(SafeFdHandle fd)
    {
        var raw = Bpf.GetInfo<BpfLinkInfoRaw>(fd, "link");
        var type = (BpfLinkType)raw.type;
        var name = new byte[4096];
        fixed (byte* buf = name)
        {
            var withName = new BpfLinkInfoRaw();
            bool hasName = true;
            switch (type)
            {
                case BpfLinkType.RawTracepoint:
                    withName.raw_tracepoint_tp_name = (ulong)buf;
                    withName.raw_tracepoint_tp_name_len = (uint)name.Length;
                    break;
                case BpfLinkType.Iter:
                    withName.iter_target_name = (ulong)buf;
                    withName.iter_target_name_len = (uint)name.Length;
                    break;
                case BpfLinkType.UprobeMulti:
                    withName.uprobe_multi_path = (ulong)buf;
                    withName.uprobe_multi_path_size = (uint)name.Length;
                    break;
                case BpfLinkType.PerfEvent:
                    withName.perf_event_name = (ulong)buf;
                    withName.perf_event_name_len = (uint)name.Length;
                    break;
                default:
                    hasName = false;
                    break;
            }
            if (hasName)
            {
                Bpf.GetInfo(fd, ref withName, "link");
                // The union fields written on the first read hold the same values; keep the named read.
                raw = withName;
            }
        }
        string text = CString(name);
        uint id = raw.id, prog = raw.prog_id;
        return type switch
        {
            BpfLinkType.RawTracepoint => new RawTracepointLinkInfo(id, prog, text, raw.raw_tracepoint_cookie),
            BpfLinkType.Tracing => new TracingLinkInfo(id, prog, (BpfAttachType)raw.tracing_attach_type,
                raw.tracing_target_obj_id, raw.tracing_target_btf_id, raw.tracing_cookie),
            BpfLinkType.Cgroup => new CgroupLinkInfo(id, prog, raw.cgroup_cgroup_id, (BpfAttachType)raw.cgroup_attach_type),
            BpfLinkType.Iter => new IterLinkInfo(id, prog, text, raw.iter_map_id),
            BpfLinkType.Netns => new NetnsLinkInfo(id, prog, raw.netns_netns_ino, (BpfAttachType)raw.netns_attach_type),
            BpfLinkType.Xdp => new XdpLinkInfo(id, prog, (int)raw.xdp_ifindex),
            BpfLinkType.StructOps => new StructOpsLinkInfo(id, prog, raw.struct_ops_map_id),
            BpfLinkType.Netfilter => new NetfilterLinkInfo(id, prog, raw.netfilter_pf, raw.netfilter_hooknum,
                raw.netfilter_priority, raw.netfilter_flags),
            BpfLinkType.KprobeMulti => new KprobeMultiLinkInfo(id, prog, raw.kprobe_multi_count, raw.kprobe_multi_flags,
                raw.kprobe_multi_missed),
            BpfLinkType.UprobeMulti => new UprobeMultiLinkInfo(id, prog, text, raw.uprobe_multi_count,
                raw.uprobe_multi_flags, raw.uprobe_multi_pid),
            BpfLinkType.PerfEvent => PerfEventLinkInfo.From(id, prog, raw, text),
            BpfLinkType.Tcx => new TcxLinkInfo(id, prog, (int)raw.tcx_ifindex, (BpfAttachType)raw.tcx_attach_type),
            BpfLinkType.Netkit => new NetkitLinkInfo(id, prog, (int)raw.netkit_ifindex, (BpfAttachType)raw.netkit_attach_type),
            BpfLinkType.Sockmap => new SockmapLinkInfo(id, prog, raw.sockmap_map_id, (BpfAttachType)raw.sockmap_attach_type),
            _ => new BpfLinkInfo(id, type, prog),
        };
    }

    private static string CString(byte[] buffer)
    {
        int end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}

public sealed record RawTracepointLinkInfo(uint Id, uint ProgramId, string TracepointName, ulong Cookie)
    : BpfLinkInfo(Id, BpfLinkType.RawTracepoint, ProgramId);

/// <param name="TargetObjectId">The BTF object id of the target (vmlinux or a module), or the target program's id for freplace.</param>
public sealed record TracingLinkInfo(uint Id, uint ProgramId, BpfAttachType AttachType, uint TargetObjectId, uint TargetBtfId, ulong Cookie)
    : BpfLinkInfo(Id, BpfLinkType.Tracing, ProgramId);

public sealed record CgroupLinkInfo(uint Id, uint ProgramId, ulong CgroupId, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Cgroup, ProgramId);

public sealed record IterLinkInfo(uint Id, uint ProgramId, string Target, uint MapId)
    : BpfLinkInfo(Id, BpfLinkType.Iter, ProgramId);

public sealed record NetnsLinkInfo(uint Id, uint ProgramId, uint NetnsInode, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Netns, ProgramId);

/// <param name="Ifindex">The interface, or 0 once the link has been detached.</param>
public sealed record XdpLinkInfo(uint Id, uint ProgramId, int Ifindex)
    : BpfLinkInfo(Id, BpfLinkType.Xdp, ProgramId);

public sealed record StructOpsLinkInfo(uint Id, uint ProgramId, uint MapId)
    : BpfLinkInfo(Id, BpfLinkType.StructOps, ProgramId);

public sealed record NetfilterLinkInfo(uint Id, uint ProgramId, uint ProtocolFamily, uint Hook, int Priority, uint Flags)
    : BpfLinkInfo(Id, BpfLinkType.Netfilter, ProgramId);

public sealed record KprobeMultiLinkInfo(uint Id, uint ProgramId, uint Count, uint Flags, ulong Missed)
    : BpfLinkInfo(Id, BpfLinkType.KprobeMulti, ProgramId);

public sealed record UprobeMultiLinkInfo(uint Id, uint ProgramId, string Path, uint Count, uint Flags, uint Pid)
    : BpfLinkInfo(Id, BpfLinkType.UprobeMulti, ProgramId);

public sealed record TcxLinkInfo(uint Id, uint ProgramId, int Ifindex, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Tcx, ProgramId);

public sealed record NetkitLinkInfo(uint Id, uint ProgramId, int Ifindex, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Netkit, ProgramId);

public sealed record SockmapLinkInfo(uint Id, uint ProgramId, uint MapId, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Sockmap, ProgramId);

/// <summary>What a perf event link's event is (<c>enum bpf_perf_event_type</c>).</summary>
public enum PerfEventLinkKind : uint
{
    Unspec = 0,
    Uprobe = 1,
    Uretprobe = 2,
    Kprobe = 3,
    Kretprobe = 4,
    Tracepoint = 5,
    Event = 6,
}

/// <param name="Name">The tracepoint name, the kprobe's function or the uprobe's file.</param>
/// <param name="Offset">The probe's offset in the function (kprobe) or file (uprobe).</param>
/// <param name="Address">The kprobe's address.</param>
/// <param name="EventType">For <see cref="PerfEventLinkKind.Event"/>: the perf type and config.</param>
public sealed record PerfEventLinkInfo(uint Id, uint ProgramId, PerfEventLinkKind Event, string Name, uint Offset,
    ulong Address, ulong Cookie, uint EventType, ulong EventConfig)
    : BpfLinkInfo(Id, BpfLinkType.PerfEvent, ProgramId)
{
    internal static PerfEventLinkInfo From(uint id, uint prog, in BpfLinkInfoRaw raw, string name)
    {
        var kind = (PerfEventLinkKind)raw.perf_event_type;
        return kind switch
        {
            PerfEventLinkKind.Uprobe or PerfEventLinkKind.Uretprobe =>
                new(id, prog, kind, name, raw.perf_event_offset, 0, raw.perf_event_uprobe_cookie, 0, 0),
            PerfEventLinkKind.Kprobe or PerfEventLinkKind.Kretprobe =>
                new(id, prog, kind, name, raw.perf_event_offset, raw.perf_event_kprobe_addr, raw.perf_event_kprobe_cookie, 0, 0),
            PerfEventLinkKind.Tracepoint =>
                new(id, prog, kind, name, 0, 0, raw.perf_event_tracepoint_cookie, 0, 0),
            PerfEventLinkKind.Event =>
                new(id, prog, kind, "", 0, 0, raw.perf_event_event_cookie, raw.perf_event_event_type, raw.perf_event_event_config),
            _ => new(id, prog, kind, name, 0, 0, 0, 0, 0),
        };
    }
}
