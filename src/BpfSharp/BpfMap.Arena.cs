using BpfSharp.Interop;

namespace BpfSharp;

public sealed partial class BpfMap
{
    /// <summary>
    /// Maps an arena (<see cref="BpfMapType.Arena"/>, Linux 6.9) into this process: its max entries are pages. The first
    /// mapping fixes the arena's user address (at the map's <c>map_extra</c> when it names one), which is also what
    /// pointers into the arena are on the BPF side: a pointer a program stored reads back as an address inside
    /// <see cref="BpfArenaMemory.Address"/> .. + <see cref="BpfArenaMemory.Length"/>. Pages appear on first touch, from
    /// either side. Keep the mapping while programs use the arena: the kernel refuses a second mapping at another address.
    /// </summary>
    public BpfArenaMemory MapArena(ulong mapExtra = 0)
    {
        if (Type != BpfMapType.Arena) throw new InvalidOperationException($"map \"{Name}\" is a {Type} map, not an arena");
        return BpfArenaMemory.Create(Handle, (long)MaxEntries * Libc.PageSize, mapExtra, $"arena \"{Name}\"");
    }
}

/// <summary>The memory of an arena map shared between this process and BPF programs; disposing unmaps it.</summary>
public sealed unsafe class BpfArenaMemory : IDisposable
{
    private nint _address;

    private BpfArenaMemory(nint address, long length)
    {
        _address = address;
        Address = (ulong)address;
        Length = length;
    }

    /// <summary>Where the arena is mapped: the user address of its first byte, the base of every arena pointer.</summary>
    public ulong Address { get; }

    /// <summary>Its size in bytes (pages × page size).</summary>
    public long Length { get; }

    internal static BpfArenaMemory Create(SafeFdHandle fd, long length, ulong mapExtra, string what)
    {
        using var use = new HandleUse(fd);
        // An arena created with map_extra lives at that address: only a fixed mapping there is accepted.
        int flags = Libc.MAP_SHARED | (mapExtra != 0 ? Libc.MAP_FIXED : 0);
        nint addr = Libc.mmap((nint)mapExtra, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, flags, (int)use.Fd, 0);
        if (addr == Libc.MAP_FAILED) throw new BpfException("mmap", Libc.LastErrno, what);
        return new BpfArenaMemory(addr, length);
    }

    /// <summary>The arena's bytes (at most 2 GiB of them as one span). Do not use the span after Dispose.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address == 0, this);
            return new Span<byte>((void*)_address, (int)Math.Min(Length, int.MaxValue));
        }
    }

    /// <summary>
    /// The offset in the arena of a pointer the BPF side holds. The kernel keeps arena pointers' lower 32 bits as the
    /// offset from the arena's start (programs may see them with other upper bits), so only those are compared.
    /// </summary>
    public long OffsetOf(ulong pointer)
    {
        long offset = (uint)pointer - (uint)Address;
        if (offset >= Length) throw new ArgumentOutOfRangeException(nameof(pointer), $"0x{pointer:x} is not inside the arena at 0x{Address:x} ({Length} bytes)");
        return offset;
    }

    /// <summary>A reference to the <typeparamref name="T"/> a BPF-side pointer points at.</summary>
    public ref T At<T>(ulong pointer) where T : unmanaged
    {
        long offset = OffsetOf(pointer);
        if (Length - offset < sizeof(T)) throw new ArgumentOutOfRangeException(nameof(pointer));
        ObjectDisposedException.ThrowIf(_address == 0, this);
        return ref *(T*)(_address + (nint)offset);
    }

    /// <summary>Unmaps the arena from this process; the map and its pages stay.</summary>
    public void Dispose()
    {
        nint a = Interlocked.Exchange(ref _address, 0);
        if (a != 0) Libc.munmap(a, (nuint)Length);
    }
}
