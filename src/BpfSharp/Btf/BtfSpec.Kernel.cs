namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>Where the kernel exposes its own BTF and, beside it, each loaded module's split BTF.</summary>
    public const string KernelBtfDirectory = "/sys/kernel/btf";

    private const string VmlinuxName = "vmlinux";

    private static readonly Lock s_kernelLock = new();
    private static BtfSpec? s_kernel;

    /// <summary>
    /// The running kernel's BTF (<c>/sys/kernel/btf/vmlinux</c>), loaded on first use and then shared by the whole
    /// process: it cannot change until the next boot. A failed load is not cached.
    /// </summary>
    /// <remarks>
    /// Where the kernel allows it (Linux 6.15 and later) the file is mapped read-only rather than read: its pages
    /// are the kernel image's own, so the 5 MB or so of vmlinux BTF add nothing to the process's resident memory.
    /// The spec keeps an index of where each type's record starts and creates a type object only when it is asked
    /// for, so relocating an object touches only the types it needs.
    /// </remarks>
    /// <exception cref="NotSupportedException">The kernel exposes no BTF (built without <c>CONFIG_DEBUG_INFO_BTF</c>).</exception>
    /// <exception cref="BpfFormatException">The kernel's BTF could not be parsed.</exception>
    public static BtfSpec LoadKernel()
    {
        var spec = Volatile.Read(ref s_kernel);
        if (spec is not null)
            return spec;
        lock (s_kernelLock)
        {
            if (s_kernel is null)
            {
                var path = Path.Combine(KernelBtfDirectory, VmlinuxName);
                if (!File.Exists(path))
                {
                    throw new NotSupportedException(
                        $"kernel BTF: {path} does not exist (the kernel was built without CONFIG_DEBUG_INFO_BTF)");
                }
                Volatile.Write(ref s_kernel, LoadKernelFile(path, map: true));
            }
            return s_kernel;
        }
    }

    /// <summary>
    /// The kernel's BTF file as a new spec: mapped when <paramref name="map"/> and the kernel allows it, else read
    /// into memory (tests pass false to take the path of kernels before 6.15). The kernel's BTF is checked in full,
    /// as a file's is, not trusted: the checks run in the passes that build the index, which are needed anyway (the
    /// whole parse of the mapped file, 125,000 types on 6.18, takes about 4.5 ms here).
    /// </summary>
    internal static BtfSpec LoadKernelFile(string path, bool map)
    {
        var blob = map ? BtfBlob.TryMapKernelFile(path) : null;
        if (blob is null)
            return Load(path);
        try
        {
            return BtfParser.Parse(blob, null);
        }
        catch
        {
            blob.Unmap(); // no spec holds it, so no span over it can be left
            throw;
        }
    }

    /// <summary>
    /// A loaded kernel module's split BTF (<c>/sys/kernel/btf/&lt;module&gt;</c>) on top of <see cref="LoadKernel"/>.
    /// Read afresh on each call: a module can be unloaded and loaded again. <c>"vmlinux"</c> returns the kernel's BTF.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="module"/> is not a plain module name.</exception>
    /// <exception cref="FileNotFoundException">No such module is loaded, or it was built without BTF.</exception>
    /// <exception cref="NotSupportedException">The kernel exposes no BTF.</exception>
    /// <exception cref="BpfFormatException">The module's BTF could not be parsed.</exception>
    public static BtfSpec LoadKernelModule(string module)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        if (module.Contains('/') || module is "." or "..")
            throw new ArgumentException($"'{module}' is not a kernel module name", nameof(module));
        if (module == VmlinuxName)
            return LoadKernel();

        var vmlinux = LoadKernel();
        var path = Path.Combine(KernelBtfDirectory, module);
        if (!File.Exists(path))
            throw new FileNotFoundException($"kernel module '{module}' has no BTF (is it loaded, and built with BTF?)", path);
        return Load(path, vmlinux);
    }

    /// <summary>The modules that expose split BTF now (the entries of <c>/sys/kernel/btf</c> besides vmlinux), sorted.</summary>
    public static IReadOnlyList<string> GetKernelModuleNames()
    {
        if (!Directory.Exists(KernelBtfDirectory))
            return [];
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(KernelBtfDirectory))
        {
            var name = Path.GetFileName(path);
            if (name != VmlinuxName)
                names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
