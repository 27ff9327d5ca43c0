using BpfSharp.Asm;
using BpfSharp.Interop;

using BpfSharp.Links;

namespace BpfSharp;

/// <summary>
/// Probes of the networking link kinds newer than BPF links themselves. Each creates a link with a real
/// program on a target that cannot exist: a kernel that knows the kind fails on the target (ENODEV, EBADF),
/// one that does not fails on the attach type (EINVAL).
/// </summary>
public static partial class BpfFeatures
{
    /// <summary>tcx links and tcx BPF_PROG_ATTACH (Linux 6.6): ifindex 0 is no device.</summary>
    public static BpfFeature Tcx { get; } = new("tcx (BPF_LINK_CREATE with BPF_TCX_INGRESS)", "6.6", () =>
        ProbeLink(BpfProgramType.SchedCls, BpfAttachType.TcxIngress, target: 0, supportedErrno: Errnos.ENODEV));

    /// <summary>netkit links (Linux 6.7): ifindex 0 is no device.</summary>
    public static BpfFeature Netkit { get; } = new("netkit links (BPF_LINK_CREATE with BPF_NETKIT_PRIMARY)", "6.7", () =>
        ProbeLink(BpfProgramType.SchedCls, BpfAttachType.NetkitPrimary, target: 0, supportedErrno: Errnos.ENODEV));

    /// <summary>sockmap links (Linux 6.10): fd -1 is no map.</summary>
    public static BpfFeature SockmapLinks { get; } = new("sockmap links (BPF_LINK_CREATE with BPF_SK_MSG_VERDICT)", "6.10", () =>
        ProbeLink(BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict, target: uint.MaxValue, supportedErrno: Errnos.EBADF));

    /// <summary>netfilter links (Linux 6.4): the program type came with them.</summary>
    public static BpfFeature Netfilter => ProgramType(BpfProgramType.Netfilter);

    /// <summary>
    /// struct_ops maps registered through links (BpfMapFlags.Link, Linux 6.4): a tcp_congestion_ops map is created
    /// with the flag, which older kernels refuse (EINVAL).
    /// </summary>
    public static BpfFeature StructOpsLinks { get; } = new("struct_ops links (struct_ops maps with BPF_F_LINK)", "6.4", () =>
    {
        if (MapType(BpfMapType.StructOps).MissingReason is { } noType) return noType;
        var kernel = Btf.BtfSpec.LoadKernel();
        if (!kernel.TryFindId("bpf_struct_ops_tcp_congestion_ops", Btf.BtfKind.Struct, out int valueId))
            return "the kernel's BTF has no bpf_struct_ops_tcp_congestion_ops";
        using var btf = BtfLoader.Load(MinimalBtf(), "probe BTF");
        try
        {
            using var map = BpfMap.Create(BpfMapType.StructOps, 4, ((Btf.BtfComposite)kernel[valueId]).Size, 1, new BpfMapCreateOptions
            {
                Name = "probe",
                Flags = BpfMapFlags.Link,
                Btf = btf,
                BtfVmlinuxValueTypeId = (uint)valueId,
            });
            return null;
        }
        catch (BpfException e)
        {
            return $"{e.ErrnoName} from BPF_MAP_CREATE of a struct_ops map with BPF_F_LINK";
        }
    });

    /// <summary>A BTF blob with one type, int: a struct_ops map wants some BTF of the caller's.</summary>
    private static byte[] MinimalBtf()
    {
        var blob = new byte[24 + 16 + 5];
        var s = blob.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(s, 0xEB9F);
        s[2] = 1; // version
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 24); // hdr_len
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[12..], 16); // type_len (type_off 0)
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 16); // str_off
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 5); // str_len
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[24..], 1); // name "int"
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 1u << 24); // BTF_KIND_INT
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[32..], 4); // size
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[36..], 1u << 24 | 32); // signed, 32 bits
        "\0int\0"u8.CopyTo(s[40..]);
        return blob;
    }

    private static string? ProbeLink(BpfProgramType type, BpfAttachType attachType, uint target, int supportedErrno)
    {
        if (ProgramType(type).MissingReason is { } noType) return noType;
        using var prog = BpfProgram.Load(type, new BpfAssembler().Mov64(BpfRegister.R0, 0).Exit().Build(),
            new BpfProgramLoadOptions { Name = "probe", ExpectedAttachType = attachType });
        using var refs = new HandleRefs();
        var attr = new LinkCreateAttr { prog_fd = refs.Add(prog.Handle), target_fd = target, attach_type = (uint)attachType };
        int r = Bpf.TryCall(BpfCommand.BPF_LINK_CREATE, ref attr);
        if (r >= 0)
        {
            Libc.close(r);
            return null;
        }
        return -r == supportedErrno ? null : $"{Errnos.Name(-r)} from BPF_LINK_CREATE";
    }
}
