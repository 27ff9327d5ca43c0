using BpfSharp.Links;

namespace BpfSharp;

/// <summary>The side of a netkit pair a program runs for.</summary>
public enum NetkitEndpoint
{
    /// <summary>The primary device (the host side).</summary>
    Primary,
    /// <summary>The peer device (usually inside a container's namespace), though the program is attached from the primary.</summary>
    Peer,
}

/// <summary>The optional parts of <c>AttachNetkit</c>.</summary>
public sealed class NetkitAttachOptions
{
    /// <summary>Where among the side's programs; after the last by default.</summary>
    public AttachPosition? Position { get; init; }

    /// <summary>Fail with ESTALE unless the side's programs are at this revision; 0 does not check.</summary>
    public ulong ExpectedRevision { get; init; }
}

/// <summary>NetkitAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class NetkitAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a sched_cls program to a netkit device (Linux 6.7), given by the ifindex of its primary device
        /// in the calling thread's network namespace, for the primary or the peer side. The program runs on the
        /// packets the side transmits, in order among that side's programs.
        /// </summary>
        public NetkitLink AttachNetkit(int ifindex, NetkitEndpoint endpoint, NetkitAttachOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
            options ??= new NetkitAttachOptions();
            return new NetkitLink(MultiProgramLink.Create(program, ifindex, NetkitAttach.AttachType(endpoint), options.Position,
                options.ExpectedRevision, $"netkit {endpoint.ToString().ToLowerInvariant()} of ifindex {ifindex}"));
        }
    }
}

internal static class NetkitAttach
{
    public static BpfAttachType AttachType(NetkitEndpoint endpoint) =>
        endpoint == NetkitEndpoint.Peer ? BpfAttachType.NetkitPeer : BpfAttachType.NetkitPrimary;
}
