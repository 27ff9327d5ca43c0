using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// Where a program goes among the programs of a multi-program hook (tcx, netkit, and cgroups from Linux
/// 6.16), which the kernel keeps in order and runs first to last. The kernel checks a relative program or
/// link is attached to the same hook, failing with ENOENT otherwise.
/// </summary>
public sealed class AttachPosition
{
    // BPF_F_* of BPF_LINK_CREATE / BPF_PROG_ATTACH for multi-program hooks.
    internal const uint BPF_F_REPLACE = 1u << 2, BPF_F_BEFORE = 1u << 3, BPF_F_AFTER = 1u << 4, BPF_F_ID = 1u << 5,
        BPF_F_LINK = 1u << 13;

    private readonly uint _flags;
    private readonly BpfProgram? _program;
    private readonly BpfLink? _link;
    private readonly uint _id;
    private readonly string _text;

    private AttachPosition(uint flags, BpfProgram? program, BpfLink? link, uint id, string text)
    {
        _flags = flags;
        _program = program;
        _link = link;
        _id = id;
        _text = text;
    }

    /// <summary>Before every program of the hook.</summary>
    public static AttachPosition First { get; } = new(BPF_F_BEFORE, null, null, 0, "first");

    /// <summary>After every program of the hook (also where a program goes when no position is given).</summary>
    public static AttachPosition Last { get; } = new(BPF_F_AFTER, null, null, 0, "last");

    /// <summary>Right before <paramref name="program"/>, which must already run at the hook.</summary>
    public static AttachPosition Before(BpfProgram program) => new(BPF_F_BEFORE, program, null, 0, $"before {program}");

    /// <summary>Right after <paramref name="program"/>, which must already run at the hook.</summary>
    public static AttachPosition After(BpfProgram program) => new(BPF_F_AFTER, program, null, 0, $"after {program}");

    /// <summary>Right before the program of <paramref name="link"/>.</summary>
    public static AttachPosition Before(BpfLink link) => new(BPF_F_BEFORE | BPF_F_LINK, null, link, 0, $"before {link}");

    /// <summary>Right after the program of <paramref name="link"/>.</summary>
    public static AttachPosition After(BpfLink link) => new(BPF_F_AFTER | BPF_F_LINK, null, link, 0, $"after {link}");

    /// <summary>Right before the program with kernel id <paramref name="programId"/>.</summary>
    public static AttachPosition BeforeProgramId(uint programId) => new(BPF_F_BEFORE | BPF_F_ID, null, null, programId, $"before program id {programId}");

    /// <summary>Right after the program with kernel id <paramref name="programId"/>.</summary>
    public static AttachPosition AfterProgramId(uint programId) => new(BPF_F_AFTER | BPF_F_ID, null, null, programId, $"after program id {programId}");

    /// <summary>Right before the program of the link with kernel id <paramref name="linkId"/>.</summary>
    public static AttachPosition BeforeLinkId(uint linkId) => new(BPF_F_BEFORE | BPF_F_ID | BPF_F_LINK, null, null, linkId, $"before link id {linkId}");

    /// <summary>Right after the program of the link with kernel id <paramref name="linkId"/>.</summary>
    public static AttachPosition AfterLinkId(uint linkId) => new(BPF_F_AFTER | BPF_F_ID | BPF_F_LINK, null, null, linkId, $"after link id {linkId}");

    /// <summary>The flags and the relative fd or id, holding a reference on a relative fd for the call.</summary>
    internal (uint Flags, uint Relative) Resolve(HandleRefs refs)
    {
        if (_program is not null) return (_flags, refs.Add(_program.Handle));
        if (_link is not null)
        {
            var handle = _link.Handle ?? throw new ArgumentException($"{_link} has no BPF link fd to be placed relative to");
            return (_flags, refs.Add(handle));
        }
        return (_flags, _id);
    }

    /// <summary>The position in words (<c>first</c>, <c>before link id 7</c>...).</summary>
    public override string ToString() => _text;
}
