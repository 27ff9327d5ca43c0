namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>Where the kernel exposes its own BTF and, beside it, each loaded module's split BTF.</summary>
    public const string KernelBtfDirectory = "/sys/kernel/btf";

    private const string VmlinuxName = "vmlinux";

    private static readonly Lock s_kernelLock = new();
    private static BtfSpec? s_kernel;

    /// <summary>
    /// The running kernel's BTF (<c>/sys/kernel/btf/vmlinux</c>), read and parsed on first use and then shared by the
    /// whole process: it cannot change until the next boot. A failed load is not cached.
    /// </summary>
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
                Volatile.Write(ref s_kernel, Load(path));
            }
            return s_kernel;
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
