using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Records;

/// <summary>
/// A program attached to a cgroup as <c>cgroup show</c> prints it; the JSON fields are bpftool's
/// (<c>bpftool -j cgroup show</c>): the program's id and name, the attach type and the attach flags.
/// </summary>
internal sealed record CgroupProgramRecord(uint Id, string AttachType, string AttachFlags, string Name, string AttachBtfName, uint AttachBtfObjId, uint AttachBtfId)
{
    /// <summary>The record of program <paramref name="prog"/> as attached at <paramref name="type"/> with <paramref name="flags"/>.</summary>
    public static CgroupProgramRecord Of(BpfProgram prog, BpfAttachType type, uint flags)
    {
        var info = prog.GetInfo();
        // An lsm_cgroup program names the kernel function it hooks by BTF id: the name is read from that BTF.
        string btfName = "";
        if (info.AttachBtfObjectId != 0 && info.AttachBtfId != 0)
        {
            try { btfName = Btf.BtfSpec.LoadFromKernelId(info.AttachBtfObjectId)[(int)info.AttachBtfId].Name; }
            catch (BpfException) { /* the BTF object went away: the ids still say it */ }
        }
        return new CgroupProgramRecord(info.Id, KernelNames.Of(type), Flags(flags), ProgramNames.Full(prog, info), btfName, info.AttachBtfObjectId, info.AttachBtfId);
    }

    /// <summary>The attach types a cgroup's programs are queried at: every cgroup hook, and LSM's per-cgroup one.</summary>
    public static readonly BpfAttachType[] CgroupAttachTypes =
        [.. Enum.GetValues<BpfAttachType>().Where(t => KernelNames.Of(t).StartsWith("cgroup_", StringComparison.Ordinal) || t == BpfAttachType.LsmCgroup)];

    /// <summary>bpftool's words for the query's flags: BPF_F_ALLOW_OVERRIDE (1), BPF_F_ALLOW_MULTI (2).</summary>
    public static string Flags(uint flags) => flags switch
    {
        0 => "",
        1 => "override",
        2 => "multi",
        _ => $"0x{flags:x}",
    };

    public static TextTable NewTable() => new TextTable("ID", "ATTACH TYPE", "FLAGS", "NAME").RightAlign("ID");

    public void AddRow(TextTable table) => table.Add(Id, AttachType, AttachFlags, Name);
}

/// <summary>A cgroup with programs as <c>cgroup tree</c> prints it (bpftool's <c>cgroup</c> and <c>programs</c>).</summary>
internal sealed record CgroupTreeRecord(string Cgroup, List<CgroupProgramRecord> Programs);
