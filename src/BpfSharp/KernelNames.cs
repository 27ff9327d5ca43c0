using System.Text;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>
/// The kernel's (and bpftool's) spelling of program, map, link and attach types: the enum constant's suffix in
/// lower case (<c>BPF_PROG_TYPE_RAW_TRACEPOINT</c> → <c>raw_tracepoint</c>), so output compares with bpftool's.
/// </summary>
public static class KernelNames
{
    /// <summary>The kernel's name of a program type (<c>raw_tracepoint</c>).</summary>
    public static string Of(BpfProgramType type) => Snake(type.ToString());

    /// <summary>The kernel's name of a link type (<c>kprobe_multi</c>).</summary>
    public static string Of(BpfLinkType type) => Snake(type.ToString());

    /// <summary>The kernel's name of an attach type (<c>cgroup_inet_ingress</c>).</summary>
    public static string Of(BpfAttachType type) => Snake(type.ToString());

    /// <summary>The kernel's name of a map type (<c>percpu_hash</c>).</summary>
    public static string Of(BpfMapType type) => type switch
    {
        BpfMapType.PerCpuHash => "percpu_hash",
        BpfMapType.PerCpuArray => "percpu_array",
        BpfMapType.LruPerCpuHash => "lru_percpu_hash",
        BpfMapType.DevMap => "devmap",
        BpfMapType.DevMapHash => "devmap_hash",
        BpfMapType.SockMap => "sockmap",
        BpfMapType.SockHash => "sockhash",
        BpfMapType.CpuMap => "cpumap",
        BpfMapType.XskMap => "xskmap",
        BpfMapType.ReuseportSockArray => "reuseport_sockarray",
        BpfMapType.PerCpuCgroupStorage => "percpu_cgroup_storage",
        BpfMapType.RingBuf => "ringbuf",
        BpfMapType.UserRingBuf => "user_ringbuf",
        _ => Snake(type.ToString()),
    };

    /// <summary>PascalCase → snake_case, keeping digits with the word before them (LwtSeg6local → lwt_seg6local).</summary>
    public static string Snake(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
