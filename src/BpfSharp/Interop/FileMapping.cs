namespace BpfSharp.Interop;

/// <summary>Maps a whole file read-only into the process, for files the kernel serves from its own memory.</summary>
internal static class FileMapping
{
    /// <summary>
    /// Maps <paramref name="path"/> with <c>PROT_READ</c> and <c>MAP_PRIVATE</c> and returns the address, or 0 when
    /// the file cannot be mapped (its file system has no mmap, it is empty or larger than an array; the errno of the
    /// failure, 0 when there was no system call to fail, is in <paramref name="errno"/>). The file is closed either
    /// way: a mapping outlives its descriptor.
    /// </summary>
    /// <remarks>
    /// Only for files that cannot shrink under the mapping (a truncated file turns reads past its new end into
    /// SIGBUS): <c>/sys/kernel/btf/vmlinux</c> is the kernel's own image, fixed until the next boot.
    /// </remarks>
    public static nint MapReadOnly(string path, out int length, out int errno)
    {
        length = 0;
        errno = 0;
        using var file = File.OpenHandle(path);
        long size = RandomAccess.GetLength(file);
        if (size <= 0 || size > Array.MaxLength)
            return 0;
        nint address = Libc.mmap(0, (nuint)size, Libc.PROT_READ, Libc.MAP_PRIVATE, (int)file.DangerousGetHandle(), 0);
        if (address == Libc.MAP_FAILED)
        {
            errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            return 0;
        }
        length = (int)size;
        return address;
    }
}
