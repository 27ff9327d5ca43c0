using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>Where XDP runs on an interface (the XDP_FLAGS_*_MODE flags).</summary>
public enum XdpMode
{
    /// <summary>Native when the driver supports it, generic otherwise (no mode flag).</summary>
    Auto,
    /// <summary>Generic XDP (XDP_FLAGS_SKB_MODE): after the socket buffer is built; works on every interface.</summary>
    Generic,
    /// <summary>Native XDP (XDP_FLAGS_DRV_MODE): in the driver, before any allocation; fails where the driver lacks it.</summary>
    Native,
    /// <summary>Offloaded to the NIC (XDP_FLAGS_HW_MODE); the program must have been loaded for that device.</summary>
    Offload,
}

/// <summary>The optional parts of <c>AttachXdp</c> (an XDP link).</summary>
public class XdpAttachOptions
{
    /// <summary>Where XDP runs on the interface; <see cref="XdpMode.Auto"/> (the default) is native where the driver has it, generic otherwise.</summary>
    public XdpMode Mode { get; init; }
}

/// <summary>The optional parts of <c>AttachXdpNetlink</c> (rtnetlink, as <c>ip link set dev X xdp</c>).</summary>
public sealed class XdpNetlinkAttachOptions : XdpAttachOptions
{
    /// <summary>
    /// Replace this program, atomically, and only if it is the one attached (XDP_FLAGS_REPLACE; the kernel fails
    /// with EEXIST otherwise).
    /// </summary>
    public BpfProgram? ExpectedProgram { get; init; }

    /// <summary>
    /// Replace whatever program is attached in the mode. By default a netlink attach fails with EBUSY when the
    /// interface already runs one (XDP_FLAGS_UPDATE_IF_NOEXIST).
    /// </summary>
    public bool ReplaceExisting { get; init; }
}

/// <summary>XdpAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class XdpAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches an XDP program to the interface <paramref name="ifindex"/> of the calling thread's network
        /// namespace: it then sees every frame the interface receives and decides its fate (XDP_PASS = 2,
        /// XDP_DROP = 1...), through an XDP link: until the link's last fd is closed (unless pinned).
        /// </summary>
        public XdpLink AttachXdp(int ifindex, XdpAttachOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
            if (options is XdpNetlinkAttachOptions)
                throw new ArgumentException("netlink options given to an XDP link attach; use AttachXdpNetlink", nameof(options));
            options ??= new XdpAttachOptions();
            uint mode = XdpAttach.ModeFlags(options.Mode);
            using var refs = new HandleRefs();
            var attr = new LinkCreateAttr
            {
                prog_fd = refs.Add(program.Handle),
                target_fd = (uint)ifindex,
                attach_type = (uint)BpfAttachType.Xdp,
                flags = mode,
            };
            int r;
            do r = Bpf.TryCall(BpfCommand.BPF_LINK_CREATE, ref attr); while (r == -Errnos.EINTR);
            if (r < 0) throw new BpfException("BPF_LINK_CREATE", -r, $"{program} to XDP of ifindex {ifindex}{XdpAttach.Describe(options.Mode)}{XdpAttach.Occupant(ifindex, -r)}");
            return new XdpLink(new SafeFdHandle(r));
        }

        /// <summary>Attaches to the interface named <paramref name="interfaceName"/> in the calling thread's network namespace.</summary>
        public XdpLink AttachXdp(string interfaceName, XdpAttachOptions? options = null) =>
            program.AttachXdp(NetworkInterfaces.IndexOf(interfaceName), options);

        /// <summary>
        /// Sets the program on the interface <paramref name="ifindex"/> through rtnetlink (IFLA_XDP), as
        /// <c>ip link set dev X xdp</c> does: the interface holds it after the process exits, until the result is
        /// disposed (unless disconnected), another tool removes it, or the interface goes.
        /// </summary>
        public XdpNetlinkAttachment AttachXdpNetlink(int ifindex, XdpNetlinkAttachOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
            return XdpNetlinkAttachment.Attach(program, ifindex, options ?? new XdpNetlinkAttachOptions());
        }

        /// <summary>Sets the program through rtnetlink on the interface named <paramref name="interfaceName"/>.</summary>
        public XdpNetlinkAttachment AttachXdpNetlink(string interfaceName, XdpNetlinkAttachOptions? options = null) =>
            program.AttachXdpNetlink(NetworkInterfaces.IndexOf(interfaceName), options);
    }
}

internal static class XdpAttach
{
    public static uint ModeFlags(XdpMode mode) => mode switch
    {
        XdpMode.Generic => RtNetlink.XDP_FLAGS_SKB_MODE,
        XdpMode.Native => RtNetlink.XDP_FLAGS_DRV_MODE,
        XdpMode.Offload => RtNetlink.XDP_FLAGS_HW_MODE,
        _ => 0,
    };

    public static string Describe(XdpMode mode) => mode == XdpMode.Auto ? "" : $" in {mode} mode";

    /// <summary>
    /// For an EBUSY or EEXIST, what already holds the interface's XDP hook (the link API has no extended ack
    /// to say it): ", which already runs program id 12 in Native mode".
    /// </summary>
    public static string Occupant(int ifindex, int errno)
    {
        if (errno is not (Errnos.EBUSY or Errnos.EEXIST)) return "";
        try
        {
            using var socket = NetlinkSocket.Open();
            var state = RtNetlink.GetXdp(socket, ifindex);
            var attached = AttachedPrograms.FromState(state);
            return attached.Mode is null ? "" : $", which already runs program id {attached.ProgramId} in {attached.Mode} mode";
        }
        catch (BpfException)
        {
            return "";
        }
    }
}
