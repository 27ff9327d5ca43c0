using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>Pinning objects in the BPF filesystem (bpffs).</summary>
public static class BpfFs
{
    /// <summary>Where bpffs is normally mounted.</summary>
    public const string DefaultRoot = "/sys/fs/bpf";

    /// <summary>
    /// Pins <paramref name="fd"/> at <paramref name="path"/>, creating missing parent directories inside bpffs.
    /// A path whose directory is not on bpffs is refused before anything is created.
    /// </summary>
    internal static void Pin(SafeFdHandle fd, string path, string what)
    {
        path = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(path) ?? "/";
        string existing = dir;
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing) ?? "/";
        if (Libc.FileSystemType(existing) != Libc.BPF_FS_MAGIC)
            throw new BpfException("BPF_OBJ_PIN", $"cannot pin {what} at {path}: {existing} is not on a BPF filesystem (mount one with 'mount -t bpf bpf {DefaultRoot}')");
        Directory.CreateDirectory(dir);
        Bpf.Pin(fd, path, what);
    }

    /// <summary>Removes the pin file; the object lives on while anything else holds it.</summary>
    internal static void Unpin(string path)
    {
        try { File.Delete(path); }
        catch (IOException e) { throw new BpfException("unpin", $"cannot remove {path}: {e.Message}", e); }
    }

    /// <summary>Whether <paramref name="path"/> lies on a mounted bpffs.</summary>
    public static bool IsBpfFs(string path) => Libc.FileSystemType(path) == Libc.BPF_FS_MAGIC;
}
