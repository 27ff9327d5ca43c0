namespace BpfSharp.Elf;

/// <summary>The segment type (<c>p_type</c>). Values not listed here are kept as their number.</summary>
public enum ElfSegmentType : uint
{
    /// <c>PT_NULL</c>: an unused entry.
    Null = 0,
    /// <summary><c>PT_LOAD</c>: a range of the file mapped into memory.</summary>
    Load = 1,
    /// <c>PT_DYNAMIC</c>: the dynamic linking information.
    Dynamic = 2,
    /// <c>PT_INTERP</c>: the path of the program interpreter.
    Interpreter = 3,
    /// <c>PT_NOTE</c>: notes.
    Note = 4,
    /// <c>PT_SHLIB</c>: reserved.
    ShLib = 5,
    /// <c>PT_PHDR</c>: the program header table itself.
    ProgramHeaders = 6,
    /// <c>PT_TLS</c>: the thread-local storage template.
    Tls = 7,
    /// <c>PT_GNU_EH_FRAME</c>: the exception handling frame header (<c>.eh_frame_hdr</c>).
    GnuEhFrame = 0x6474e550,
    /// <c>PT_GNU_STACK</c>: the stack's permissions (whether it is executable).
    GnuStack = 0x6474e551,
    /// <c>PT_GNU_RELRO</c>: made read-only after relocation.
    GnuRelro = 0x6474e552,
    /// <c>PT_GNU_PROPERTY</c>: the <c>.note.gnu.property</c> notes.
    GnuProperty = 0x6474e553,
}

/// <summary>Segment permissions (<c>p_flags</c>).</summary>
[Flags]
public enum ElfSegmentFlags : uint
{
    /// <summary>No permissions.</summary>
    None = 0,
    /// <c>PF_X</c>: executable.
    Execute = 0x1,
    /// <c>PF_W</c>: writable.
    Write = 0x2,
    /// <c>PF_R</c>: readable.
    Read = 0x4,
}

/// <summary>One program header (<c>Elf64_Phdr</c>): how a part of the file is mapped when the program runs.</summary>
public sealed class ElfProgramHeader
{
    internal ElfProgramHeader() { }

    /// <summary>The index in the program header table.</summary>
    public int Index { get; internal init; }
    /// <c>p_type</c>: what the segment is.
    public ElfSegmentType Type { get; internal init; }
    /// <c>p_flags</c>: its permissions.
    public ElfSegmentFlags Flags { get; internal init; }
    /// <summary><c>p_offset</c>: where the segment's bytes start in the file.</summary>
    public ulong Offset { get; internal init; }
    /// <summary><c>p_vaddr</c>: where the segment is mapped, relative to the load base for a shared object.</summary>
    public ulong VirtualAddress { get; internal init; }
    /// <c>p_paddr</c>: the physical address, where it matters (usually equal to <see cref="VirtualAddress"/>).
    public ulong PhysicalAddress { get; internal init; }
    /// <summary><c>p_filesz</c>: the bytes taken from the file; the rest up to <see cref="MemorySize"/> is zero-filled.</summary>
    public ulong FileSize { get; internal init; }
    /// <c>p_memsz</c>: the segment's size in memory.
    public ulong MemorySize { get; internal init; }
    /// <c>p_align</c>: the segment's alignment in memory and in the file.
    public ulong Alignment { get; internal init; }
    /// <summary>The segment's file bytes, a slice of the parsed buffer.</summary>
    public ReadOnlyMemory<byte> Data { get; internal init; }

    /// <summary>Whether the segment is mapped executable (<see cref="ElfSegmentFlags.Execute"/>).</summary>
    public bool IsExecutable => (Flags & ElfSegmentFlags.Execute) != 0;

    /// <summary>Whether <paramref name="address"/> lies in the file-backed part of the segment.</summary>
    public bool ContainsFileBacked(ulong address) =>
        address >= VirtualAddress && address - VirtualAddress < FileSize;

    /// <summary>The segment's type, flags, offset, address and sizes, as <c>readelf -l</c> lists them.</summary>
    public override string ToString() => $"{Type} {Flags} off 0x{Offset:x} vaddr 0x{VirtualAddress:x} filesz 0x{FileSize:x} memsz 0x{MemorySize:x}";
}
