using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp;

/// <summary>
/// A global variable of an object (<c>.data</c>, <c>.bss</c>, <c>.rodata</c> and their named variants). Before load,
/// <see cref="Set{T}"/> changes its initial value; after load, reads and writes go to the map's memory,
/// shared with the programs (<c>.rodata</c> is frozen: read-only).
/// </summary>
public sealed class BpfObjectVariable
{
    private readonly BpfObject _owner;
    // The section's mapping after load, kept so that an access is no lookup (the object unmaps it when disposed).
    private BpfMappedMemory? _memory;

    internal BpfObjectVariable(BpfObject owner, string name, BpfObjectMap map, int offset, int size, int typeId)
    {
        _owner = owner;
        Name = name;
        Map = map;
        Offset = offset;
        Size = size;
        TypeId = typeId;
    }

    /// <summary>The variable's name.</summary>
    public string Name { get; }

    /// <summary>The global data map holding it.</summary>
    public BpfObjectMap Map { get; }

    /// <summary>The section the variable is in (<c>.data</c>, <c>.bss</c>, <c>.rodata</c>...).</summary>
    public string SectionName => Map.SectionName;
    /// <summary>The variable's offset in its section, in bytes.</summary>
    public int Offset { get; }
    /// <summary>The variable's size in bytes.</summary>
    public int Size { get; }

    /// <summary>The variable's type in the object's BTF.</summary>
    public int TypeId { get; }

    /// <summary>The variable's value as a <typeparamref name="T"/> (the initial value before load, the live one after).</summary>
    public T Get<T>() where T : unmanaged => MemoryMarshal.Read<T>(Bytes<T>(writing: false));

    /// <summary>Sets the variable: its initial value before load, the live one after (which <c>.rodata</c> refuses).</summary>
    public void Set<T>(T value) where T : unmanaged => MemoryMarshal.Write(Bytes<T>(writing: true), in value);

    /// <summary>The variable's current bytes (a copy).</summary>
    public byte[] GetBytes() => Span(writing: false).ToArray();

    private Span<byte> Bytes<T>(bool writing) where T : unmanaged
    {
        // The value's own size (a C bool is 1 byte), not its marshalled one (Marshal.SizeOf<bool>() is 4).
        int size = Unsafe.SizeOf<T>();
        if (size > Size) throw new ArgumentException($"variable {Name} has {Size} bytes; {typeof(T).Name} has {size}");
        return Span(writing)[..size];
    }

    private Span<byte> Span(bool writing)
    {
        if (!_owner.IsLoaded) return Map.InitialData.AsSpan(Offset, Size);
        if (writing && Map.IsReadOnly) throw new InvalidOperationException($"{Name} is in {SectionName}, which is frozen after load");
        return (_memory ??= _owner.MemoryOf(Map)).Span.Slice(Offset, Size);
    }
}
