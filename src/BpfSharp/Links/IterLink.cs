using BpfSharp.Interop;
using Microsoft.Win32.SafeHandles;

namespace BpfSharp.Links;

/// <summary>
/// A BPF iterator link (iter/task, iter/bpf_map_elem, ...). Each <see cref="OpenIterator"/> starts a new
/// walk whose output the program writes with <c>bpf_seq_printf</c>/<c>bpf_seq_write</c>.
/// </summary>
public sealed class IterLink : BpfFdLink
{
    internal IterLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>Starts a walk (BPF_ITER_CREATE); reading the stream runs the program. Dispose the stream when done.</summary>
    public Stream OpenIterator()
    {
        using var use = new HandleUse(Handle!);
        var attr = new IterCreateAttr { link_fd = use.Fd };
        int fd = Bpf.Call(BpfCommand.BPF_ITER_CREATE, ref attr, Describe());
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
    }
}

/// <summary>What an iterator walks, for iterators that take a target.</summary>
public sealed class IterAttachOptions
{
    /// <summary>The map of a map-element iterator (iter/bpf_map_elem, iter/sk_storage_map...).</summary>
    public BpfMap? Map { get; init; }

    /// <summary>Only this task (thread id) for task iterators.</summary>
    public int ThreadId { get; init; }

    /// <summary>Only this process for task iterators.</summary>
    public int ProcessId { get; init; }

    /// <summary>The cgroup id for a cgroup iterator.</summary>
    public ulong CgroupId { get; init; }

    /// <summary>The walk order of a cgroup iterator (<c>enum bpf_cgroup_iter_order</c>: 1 self only, 2 descendants pre, 3 post, 4 ancestors up).</summary>
    public uint CgroupOrder { get; init; }
}

/// <summary>What the kernel reports about an iterator link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="Target">The iterator target (<c>task</c>, <c>bpf_map_elem</c>...).</param>
/// <param name="MapId">The map a map iterator walks, 0 for other targets.</param>
public sealed record IterLinkInfo(uint Id, uint ProgramId, string Target, uint MapId)
    : BpfLinkInfo(Id, BpfLinkType.Iter, ProgramId);
