namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>
    /// A kernel's BTF from a directory of per-kernel files laid out as BTFHub's archive is
    /// (<c>DISTRO/VERSION/ARCH/RELEASE.btf</c>, at any depth): the file named <paramref name="release"/><c>.btf</c>, by
    /// default the running kernel's release (<c>uname -r</c>). For kernels without <c>/sys/kernel/btf/vmlinux</c>; pass
    /// the result (or its <see cref="MinimalFor"/>) as <see cref="BpfObjectOptions.KernelBtf"/>. BTFHub ships the
    /// files as <c>.btf.tar.xz</c>: extract them first.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">No file there is named after the release, or several are (on different paths).</exception>
    /// <exception cref="BpfFormatException">The file is not valid BTF.</exception>
    public static BtfSpec LoadForRelease(string directory, string? release = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        release ??= KernelConfig.KernelRelease;
        if (release.Contains('/') || release.Length == 0) throw new ArgumentException($"'{release}' is not a kernel release", nameof(release));
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"BTF archive {directory}: no such directory");
        var found = Directory.GetFiles(directory, release + ".btf", SearchOption.AllDirectories);
        return found.Length switch
        {
            1 => Load(found[0]),
            0 => throw new FileNotFoundException($"BTF archive {directory} has no {release}.btf (BTFHub's files are .btf.tar.xz: extract them)", Path.Combine(directory, release + ".btf")),
            // Two distributions can ship the same release string with different kernels: the caller must choose.
            _ => throw new FileNotFoundException($"BTF archive {directory} has {found.Length} files named {release}.btf ({string.Join(", ", found.Select(f => Path.GetRelativePath(directory, f)))}); pass the distribution's directory", found[0]),
        };
    }
}
