namespace BpfSharp.Interop;

/// <summary>Reads files whose content is untrusted input (objects, executables, BTF) with bounded cost.</summary>
internal static class FileBytes
{
    /// <summary>
    /// The whole file. Only a regular file is read: a FIFO would block forever and a device such as /dev/zero
    /// never ends, so either is a <see cref="BpfFormatException"/> for <paramref name="what"/>, as is a file too
    /// large for one array. A missing file is the usual <see cref="FileNotFoundException"/> (or
    /// <see cref="DirectoryNotFoundException"/>), an unreadable one an <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public static byte[] ReadAll(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path) && !Libc.IsRegularFile(path))
            throw new BpfFormatException(what, $"{path} is not a regular file");
        var info = new FileInfo(path);
        if (info.Exists && info.Length > Array.MaxLength)
            throw new BpfFormatException(what, $"{path} is {info.Length} bytes, more than can be read at once");
        return File.ReadAllBytes(path);
    }
}
