using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Btf;

/// <summary>
/// The bytes of one BTF blob, where the parser and the spec read records and names: a managed array (files,
/// objects, BTF read back from the kernel, a kernel whose BTF file cannot be mapped) or the kernel's BTF file mapped
/// read-only (<see cref="BtfSpec.LoadKernel"/>), whose pages the kernel serves from its own image and which
/// therefore add nothing to the process's resident memory.
/// </summary>
internal sealed unsafe class BtfBlob
{
    private readonly byte[]? _array;
    private readonly byte* _mapped;

    public BtfBlob(byte[] array)
    {
        _array = array;
        Length = array.Length;
    }

    private BtfBlob(byte* mapped, int length)
    {
        _mapped = mapped;
        Length = length;
    }

    /// <summary>
    /// The kernel's BTF file mapped, or null when the kernel does not allow it (before Linux 6.15 the sysfs file
    /// has no mmap). The mapping is never unmapped: spans over it are handed out without a reference that would keep
    /// an owner alive, so it must outlive every reader. Mapped specs are the process-wide kernel spec (kept until
    /// exit anyway) and the few that tests create.
    /// </summary>
    public static BtfBlob? TryMapKernelFile(string path)
    {
        nint address = Interop.FileMapping.MapReadOnly(path, out int length, out _);
        return address == 0 ? null : new BtfBlob((byte*)address, length);
    }

    /// <summary>Unmaps a mapped blob that no spec was made from (its parse failed).</summary>
    public void Unmap()
    {
        if (_mapped is not null)
            Interop.Libc.munmap((nint)_mapped, (nuint)Length);
    }

    /// <summary>Whether the bytes are a mapping of the kernel's file rather than a managed array.</summary>
    public bool IsMapped => _array is null;

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _array is not null ? _array : new ReadOnlySpan<byte>(_mapped, Length);

    /// <summary>Reads a little-endian u32 at an offset the parser has already checked to lie inside the blob.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Read32(int offset)
    {
        Debug.Assert(offset >= 0 && offset <= Length - 4, "read outside the checked blob");
        ref byte start = ref _array is not null ? ref MemoryMarshal.GetArrayDataReference(_array) : ref *_mapped;
        uint value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, (nint)(uint)offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }
}
