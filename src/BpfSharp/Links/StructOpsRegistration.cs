using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A struct_ops map registered by its update (no <see cref="BpfMapFlags.Link"/>). The kernel holds the map while
/// it is registered, so the registration survives every fd and the process's exit. <see cref="BpfLink.Dispose"/>
/// (unless disconnected) and <see cref="BpfLink.Detach"/> delete the map's element, which unregisters it. It cannot
/// be pinned (pin the map instead) or updated in place.
/// </summary>
public sealed unsafe class StructOpsRegistration : BpfAttachment
{
    private readonly SafeFdHandle _map;

    /// <summary>The registered struct_ops map's kernel id.</summary>
    public uint MapId { get; }
    /// <summary>The registered struct_ops map's name.</summary>
    public string MapName { get; }

    internal StructOpsRegistration(SafeFdHandle map, uint mapId, string mapName) : base(BpfLinkKind.StructOpsMap)
    {
        _map = map;
        MapId = mapId;
        MapName = mapName;
    }

    /// <summary>
    /// BPF_MAP_DELETE_ELEM of key 0: 0, or -errno. Already unregistered by someone else is not an error: the kernel
    /// answers ENOENT for a map never registered, EINPROGRESS for one whose element was deleted before.
    /// </summary>
    private protected override int TryDetach()
    {
        using var map = new HandleUse(_map);
        uint key = 0;
        var attr = new MapElemAttr { map_fd = map.Fd, key = (ulong)&key };
        int r = Bpf.TryCall(BpfCommand.BPF_MAP_DELETE_ELEM, ref attr);
        return r is -Errnos.ENOENT or -Errnos.EINPROGRESS ? 0 : r;
    }

    private protected override void ReleaseDisconnected() => _map.Dispose();

    private protected override (string Call, string What) DetachDescription => ("BPF_MAP_DELETE_ELEM", $"unregister struct_ops map \"{MapName}\"");

    /// <summary>Always throws <see cref="NotSupportedException"/>: a registration holds a map, not a program.</summary>
    public override void Update(BpfProgram newProgram, BpfProgram? expectedOld = null) =>
        throw new NotSupportedException("a struct_ops registration holds a map, not a program; unregister it and register another map");

    /// <summary>The map registered; the kernel has no link object for it.</summary>
    public override StructOpsRegistrationInfo GetInfo() => new(MapId);

    /// <summary>The registration and its map.</summary>
    public override string ToString() => $"StructOpsRegistration of map \"{MapName}\" (id {MapId})";
}

/// <summary>What a <see cref="StructOpsRegistration"/> registered (no kernel link object: id 0, type Unspec).</summary>
public sealed record StructOpsRegistrationInfo(uint MapId) : BpfLinkInfo(0, BpfLinkType.Unspec, 0);
