using BpfSharp.Asm;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>
/// A program of an object: its type, attach type and autoload can be changed until <see cref="BpfObject.Load"/>,
/// which loads it (<see cref="Program"/>).
/// </summary>
public sealed class BpfObjectProgram
{
    internal BpfObjectProgram(string name, string sectionName, int sectionIndex, int start, int count)
    {
        Name = name;
        SectionName = sectionName;
        SectionIndex = sectionIndex;
        Start = start;
        Count = count;
    }

    /// <summary>The program's name: its function's name.</summary>
    public string Name { get; }

    /// <summary>The ELF section, e.g. <c>tp/syscalls/sys_enter_openat</c> (without a leading <c>?</c>).</summary>
    public string SectionName { get; }

    /// <summary>The program type, from the section name; may be changed before load.</summary>
    public BpfProgramType Type { get; set; }
    /// <summary>The expected attach type, from the section name; may be changed before load.</summary>
    public BpfAttachType? ExpectedAttachType { get; set; }

    /// <summary>The attach target named by the section (<c>do_unlinkat</c> for <c>fentry/do_unlinkat</c>).</summary>
    public string? AttachTarget { get; set; }

    /// <summary>The load flags (a <c>.s</c> section sets <see cref="BpfProgramFlags.Sleepable"/>); may be changed before load.</summary>
    public BpfProgramFlags Flags { get; set; }

    /// <summary>Whether <see cref="BpfObject.Load"/> loads it; off for sections with a leading <c>?</c>.</summary>
    public bool Autoload { get; set; } = true;

    /// <summary>The number of instructions of the program itself (without the subprograms it calls).</summary>
    public int InstructionCount => Count;

    /// <summary>The loaded program, after <see cref="BpfObject.Load"/> (null when autoload is off).</summary>
    public BpfProgram? Program { get; internal set; }

    /// <summary>struct_ops programs: the kernel struct they implement a member of (set at load from the struct_ops map).</summary>
    internal int StructOpsAttachBtfId { get; set; }

    internal int SectionIndex { get; }
    internal int Start { get; }
    internal int Count { get; }

    /// <summary>Attaches the loaded program where its section name says (<c>Attach</c>).</summary>
    public BpfLink Attach() => (Program ?? throw new InvalidOperationException($"program {Name} is not loaded")).Attach();

    /// <summary>The program's type, name and section.</summary>
    public override string ToString() => $"{Type} program {Name} ({SectionName})";
}
