namespace BpfSharp.Elf;

/// <summary>One entry of a note section or segment (<c>Elf64_Nhdr</c> with its name and descriptor).</summary>
public sealed class ElfNote
{
    internal ElfNote(string owner, uint type, ReadOnlyMemory<byte> descriptor)
    {
        Owner = owner;
        Type = type;
        Descriptor = descriptor;
    }

    /// <summary>The note's owner name without its terminating NUL (<c>GNU</c>, <c>stapsdt</c>...).</summary>
    public string Owner { get; }
    /// <summary>The owner-specific type (<c>NT_GNU_BUILD_ID</c> = 3 for <c>GNU</c>, <c>NT_STAPSDT</c> = 3 for <c>stapsdt</c>).</summary>
    public uint Type { get; }
    /// <summary>The descriptor bytes, a slice of the parsed buffer.</summary>
    public ReadOnlyMemory<byte> Descriptor { get; }

    /// <summary>The note's owner, type and descriptor size.</summary>
    public override string ToString() => $"{Owner} type {Type}, {Descriptor.Length} bytes";
}
