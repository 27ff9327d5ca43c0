using BpfSharp.Interop;

namespace BpfSharp;

public sealed partial class BpfMap
{
    /// <summary>
    /// Maps the values of a <see cref="BpfMapFlags.Mmapable"/> array map into this process: reads and writes
    /// go straight to the map's memory, shared with the programs using it. A frozen map can only be mapped read-only.
    /// </summary>
    public BpfMappedMemory MapMemory(bool writable = true)
    {
        if (!Flags.HasFlag(BpfMapFlags.Mmapable))
            throw new InvalidOperationException($"map \"{Name}\" was not created with BpfMapFlags.Mmapable");
        long size = (long)ValueSize * MaxEntries;
        return BpfMappedMemory.Create(Handle, size, writable, $"map \"{Name}\"");
    }
}

/// <summary>A shared memory mapping of a map's values; disposing unmaps it.</summary>
public sealed unsafe class BpfMappedMemory : IDisposable
{
    private nint _address;
    private readonly nuint _mappedLength;

    /// <summary>The number of usable bytes (the map's value size × max entries).</summary>
    public int Length { get; }

    /// <summary>Whether the memory was mapped writable (<c>MapMemory(writable: true)</c>).</summary>
    public bool IsWritable { get; }

    private BpfMappedMemory(nint address, nuint mappedLength, int length, bool writable)
    {
        _address = address;
        _mappedLength = mappedLength;
        Length = length;
        IsWritable = writable;
    }

    internal static BpfMappedMemory Create(SafeFdHandle fd, long size, bool writable, string what)
    {
        long page = Libc.PageSize;
        long mapped = (size + page - 1) / page * page;
        using var use = new HandleUse(fd);
        int prot = Libc.PROT_READ | (writable ? Libc.PROT_WRITE : 0);
        nint addr = Libc.mmap(0, (nuint)mapped, prot, Libc.MAP_SHARED, (int)use.Fd, 0);
        if (addr == Libc.MAP_FAILED) throw new BpfException("mmap", Libc.LastErrno, what);
        return new BpfMappedMemory(addr, (nuint)mapped, checked((int)size), writable);
    }

    /// <summary>The mapped bytes. Do not use the span after Dispose.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address == 0, this);
            return new Span<byte>((void*)_address, Length);
        }
    }

    /// <summary>A reference to a <typeparamref name="T"/> at byte <paramref name="offset"/>.</summary>
    public ref T As<T>(int offset = 0) where T : unmanaged
    {
        if ((uint)offset > (uint)Length || Length - offset < sizeof(T)) throw new ArgumentOutOfRangeException(nameof(offset));
        return ref System.Runtime.InteropServices.MemoryMarshal.AsRef<T>(Span.Slice(offset, sizeof(T)));
    }

    /// <summary>Unmaps the memory; the map itself stays.</summary>
    public void Dispose()
    {
        nint a = Interlocked.Exchange(ref _address, 0);
        if (a != 0) Libc.munmap(a, _mappedLength);
    }
}
