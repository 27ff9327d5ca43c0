using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>The protocol families a netfilter BPF program can hook (NFPROTO_*).</summary>
public enum NetfilterProtocolFamily : uint
{
    /// <c>NFPROTO_IPV4</c>.
    IPv4 = 2,
    /// <c>NFPROTO_IPV6</c>.
    IPv6 = 10,
}

/// <summary>The netfilter hooks of the IPv4 and IPv6 families (enum nf_inet_hooks).</summary>
public enum NetfilterHook : uint
{
    /// <c>NF_INET_PRE_ROUTING</c>: packets arriving, before the routing decision.
    PreRouting = 0,
    /// <c>NF_INET_LOCAL_IN</c>: packets for this host.
    LocalIn = 1,
    /// <c>NF_INET_FORWARD</c>: packets routed through this host.
    Forward = 2,
    /// <c>NF_INET_LOCAL_OUT</c>: packets this host sends.
    LocalOut = 3,
    /// <c>NF_INET_POST_ROUTING</c>: packets leaving, after the routing decision.
    PostRouting = 4,
}

/// <summary>The optional parts of <c>AttachNetfilter</c>.</summary>
public sealed class NetfilterAttachOptions
{
    /// <summary>
    /// Reassemble IP fragments before the program sees them (BPF_F_NETFILTER_IP_DEFRAG, Linux 6.6); the
    /// priority must then come after the defragmentation hook's (-400).
    /// </summary>
    public bool Defrag { get; init; }
}

/// <summary>NetfilterAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class NetfilterAttachExtensions
{
    private const uint BPF_F_NETFILTER_IP_DEFRAG = 1;

    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a netfilter program (Linux 6.4) as a hook of the calling thread's network namespace at
        /// <paramref name="hook"/> of <paramref name="family"/>, ordered by <paramref name="priority"/> among
        /// that hook's functions (iptables' filter table is at 0). Its return value is the verdict (NF_DROP = 0,
        /// NF_ACCEPT = 1). The kernel refuses the priorities INT_MIN and INT_MAX, which are reserved.
        /// </summary>
        public NetfilterLink AttachNetfilter(NetfilterProtocolFamily family, NetfilterHook hook, int priority,
            NetfilterAttachOptions? options = null)
        {
            using var refs = new HandleRefs();
            var attr = new LinkCreateAttr
            {
                prog_fd = refs.Add(program.Handle),
                attach_type = (uint)BpfAttachType.Netfilter,
                netfilter_pf = (uint)family,
                netfilter_hooknum = (uint)hook,
                netfilter_priority = priority,
                netfilter_flags = options?.Defrag == true ? BPF_F_NETFILTER_IP_DEFRAG : 0,
            };
            string where = $"{program} to netfilter {Describe(family)} hook {Describe(hook)} at priority {priority}"
                + (options?.Defrag == true ? " with defragmentation" : "");
            int r;
            do r = Bpf.TryCall(BpfCommand.BPF_LINK_CREATE, ref attr); while (r == -Errnos.EINTR);
            if (r >= 0) return new NetfilterLink(new SafeFdHandle(r));
            // The kernel's errno is terse: say which of its rules the request broke.
            string why = -r switch
            {
                Errnos.EAFNOSUPPORT => $"; netfilter BPF programs hook only the IPv4 and IPv6 families (NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10), not {(uint)family}",
                Errnos.EPROTO => $"; {(uint)hook} is not a netfilter hook (NF_INET_PRE_ROUTING = 0 ... NF_INET_POST_ROUTING = 4)",
                Errnos.ERANGE => options?.Defrag == true
                    ? "; with defragmentation the priority must come after the defragmentation hook's (-400), and INT_MIN/INT_MAX are reserved"
                    : "; the priorities INT_MIN and INT_MAX are reserved",
                Errnos.EOPNOTSUPP when options?.Defrag == true => "; program kernel cannot defragment for BPF netfilter programs (Linux 6.6)",
                _ => "",
            };
            throw new BpfException("BPF_LINK_CREATE", -r, where + why);
        }

        internal static string Describe(NetfilterProtocolFamily family) => Enum.IsDefined(family) ? family.ToString() : $"family {(uint)family}";

        internal static string Describe(NetfilterHook hook) => Enum.IsDefined(hook) ? hook.ToString() : $"number {(uint)hook}";
    }
}
