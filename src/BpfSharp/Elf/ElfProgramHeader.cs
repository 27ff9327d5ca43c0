namespace BpfSharp.Elf;

/// <summary>The segment type (<c>p_type</c>). Values not listed here are kept as their number.</summary>
public enum ElfSegmentType : uint
{
    Null = 0,
    /// <summary><c>PT_LOAD</c>: a range of the file mapped into memory.</summary>
    Load = 1,
    Dynamic = 2,
    Interpreter = 3,
    Note = 4,
    ShLib = 5,
    ProgramHeaders = 6,
    Tls = 7,
    GnuEhFrame = 0x6474e550,
    GnuStack = 0x6474e551,
    GnuRelro = 0x6474e552,
    GnuProperty = 0x6474e553,
}

/// <summary>Segment permissions (<c>p_flags</c>).</summary>
[Flags]
public enum ElfSegmentFlags : uint
{
    None = 0,
    Execute = 0x1,
    Write = 0x2,
    Read = 0x4,
}

/// <summary>One program header (<c>Elf64_Phdr</c>): how a part of the file is mapped when the program runs.</summary>
public sealed class ElfProgramHeader
{
    internal ElfProgramHeader() { }

    public int Index { get; internal init; }
    public ElfSegmentType Type { get; internal init; }
    public ElfSegmentFlags Flags { get; internal init; }
    /// <summary><c>p_offset</c>: where the segment's bytes start in the file.</summary>
    public ulong Offset { get; internal init; }
    /// <summary><c>p_vaddr</c>: where the segment is mapped, relative to the load base for a shared object.</summary>
    public ulong VirtualAddress { get; internal init; }
    public ulong PhysicalAddress { get; internal init; }
    /// <summary><c>p_filesz</c>: the bytes taken from the file; the rest up to <see cref="MemorySize"/> is zero-filled.</summary>
    public ulong FileSize { get; internal init; }
    public ulong MemorySize { get; internal init; }
    public ulong Alignment { get; internal init; }
    /// <summary>The segment's file bytes, a slice of the parsed buffer.</summary>
    public ReadOnlyMemory<byte> Data { get; internal init; }

    public bool IsExecutable => (Flags & ElfSegmentFlags.Execute) != 0;

    /// <summary>Whether <paramref name="address"/> lies in the file-backed part of the segment.</summary>
    public bool ContainsFileBacked(ulong address) =>
        address >= VirtualAddress && address - VirtualAddress < FileSize;

    public override string ToString() => $"{Type} {Flags} off 0x{Offset:x} vaddr 0x{VirtualAddress:x} filesz 0x{FileSize:x} memsz 0x{MemorySize:x}";
}
