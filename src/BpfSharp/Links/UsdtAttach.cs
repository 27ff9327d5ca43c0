using BpfSharp.Links;
using BpfSharp.Tracing;

namespace BpfSharp;

/// <summary>The optional parts of a USDT probe attachment.</summary>
public sealed class UsdtAttachOptions
{
    /// <summary>What <c>bpf_usdt_cookie()</c> returns in the program (the BPF cookie itself carries the spec id).</summary>
    public ulong Cookie { get; init; }

    /// <summary>Only this process; -1 (the default) for every process running the file.</summary>
    public int ProcessId { get; init; } = -1;

    /// <summary>How per-site uprobes are created (when the program was not loaded for uprobe.multi links).</summary>
    public ProbeAttachMode Mode { get; init; }

    /// <summary>Per-site uprobes: attach with PERF_EVENT_IOC_SET_BPF instead of perf links.</summary>
    public bool UseIoctl { get; init; }
}

/// <summary>UsdtAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class UsdtAttachExtensions
{
    // The spec table a loaded program shares with its object; it lives as long as the program object.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BpfProgram, UsdtSpecTable> SpecTables = new();

    extension(BpfProgram program)
    {
        /// <summary>The USDT spec maps of the object the program was loaded from, when it includes usdt.bpf.h.</summary>
        internal UsdtSpecTable? UsdtSpecs
        {
            get => SpecTables.TryGetValue(program, out var specs) ? specs : null;
            set
            {
                if (value is null) SpecTables.Remove(program);
                else SpecTables.AddOrUpdate(program, value);
            }
        }

        /// <summary>
        /// Attaches the program to every site of USDT probe <paramref name="provider"/>:<paramref name="name"/> in an
        /// executable or shared library (a path, or a library name found as <see cref="BinaryLocator.Resolve"/> does),
        /// filling the object's <c>__bpf_usdt_specs</c> so that <c>bpf_usdt_arg()</c>, <c>bpf_usdt_arg_cnt()</c> and
        /// <c>bpf_usdt_cookie()</c> of libbpf's <c>usdt.bpf.h</c> work. A semaphore-guarded probe has its semaphore
        /// raised by the kernel while attached.
        /// </summary>
        /// <exception cref="InvalidOperationException">The program does not come from an object with usdt.bpf.h's maps.</exception>
        /// <exception cref="UsdtArgumentException">An argument of a site is in a form the program's usdt.bpf.h cannot read.</exception>
        /// <exception cref="BpfFeatureNotSupportedException">
        /// A position-independent file without a process id on a kernel without BPF cookies (the program then looks its
        /// spec up by address, which depends on where each process maps the file).
        /// </exception>
        public UsdtLink AttachUsdt(string binaryPath, string provider, string name, UsdtAttachOptions? options = null)
        {
            options ??= new();
            var sites = UsdtTarget.Resolve(binaryPath, provider, name, Math.Max(options.ProcessId, 0));
            return program.AttachUsdtSites([sites], provider, name, options);
        }

        /// <summary>
        /// Attaches the program to USDT probe <paramref name="provider"/>:<paramref name="name"/> in process
        /// <paramref name="processId"/> only: in its executable and every library it has mapped that has the probe.
        /// </summary>
        public UsdtLink AttachUsdt(int processId, string provider, string name, UsdtAttachOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processId);
            var files = UsdtTarget.ResolveInProcess(processId, provider, name);
            return program.AttachUsdtSites(files, provider, name, new UsdtAttachOptions
            {
                Cookie = options?.Cookie ?? 0, ProcessId = processId, Mode = options?.Mode ?? default, UseIoctl = options?.UseIoctl ?? false,
            });
        }

        internal UsdtLink AttachUsdtSites(IReadOnlyList<IReadOnlyList<UsdtTarget>> files, string provider, string name, UsdtAttachOptions options)
        {
            var table = program.UsdtSpecs ?? throw new InvalidOperationException(
                $"{program} has no USDT spec maps: attach a program of an object that includes <bpf/usdt.bpf.h> ({UsdtSpecTable.SpecsMapName})");
            string what = $"USDT {provider}:{name} in {string.Join(", ", files.Select(f => f[0].BinaryPath))}";
            int pid = options.ProcessId;
            // A program loaded for uprobe.multi cannot be attached through perf events, and the other way round.
            bool multi = program.ExpectedAttachType == BpfAttachType.TraceUprobeMulti;
            if (options.UseIoctl && (multi || table.UsesCookies))
                throw new NotSupportedException($"{what}: an ioctl attachment carries no BPF cookie, so it fits only a program that looks its spec up by address (an object loaded where the kernel has no BPF cookies) attached by per-site uprobes");
            var link = new UsdtLink(table, what);
            try
            {
                foreach (var sites in files)
                {
                    var cookies = new ulong[sites.Count];
                    // Sites whose specs are byte for byte the same share a slot (libbpf shares by argument string).
                    var bySpec = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (int i = 0; i < sites.Count; i++)
                    {
                        var site = sites[i];
                        byte[] spec = table.Layout.Encode(site, options.Cookie);
                        string key = Convert.ToHexString(spec);
                        if (!bySpec.TryGetValue(key, out int id))
                        {
                            id = table.Allocate(what);
                            link.AddSpec(id);
                            table.Specs.Update(BitConverter.GetBytes(id), spec);
                            bySpec[key] = id;
                        }
                        if (!table.UsesCookies)
                        {
                            long address = (long)RuntimeAddress(site, pid);
                            try { table.IpToSpecId.Update(address, id, BpfMapUpdateFlags.NoExist); }
                            catch (BpfException e) when (e.Errno == Errno.EEXIST)
                            {
                                throw new BpfException(what, $"another USDT attachment of program object already covers the site at 0x{address:x} (without BPF cookies a site can have one spec)", e);
                            }
                            link.AddAddress(address);
                        }
                        cookies[i] = (ulong)id;
                    }
                    if (multi)
                    {
                        link.AddPart(program.CreateUprobeMulti(sites[0].BinaryPath, [.. sites.Select(s => s.FileOffset)], [.. sites.Select(s => s.SemaphoreOffset)],
                            cookies, pid, retprobe: false));
                    }
                    else
                    {
                        for (int i = 0; i < sites.Count; i++)
                            link.AddPart(program.AttachUprobe(sites[i].BinaryPath, null, new UprobeAttachOptions
                            {
                                Offset = sites[i].FileOffset,
                                ReferenceCounterOffset = sites[i].SemaphoreOffset,
                                ProcessId = pid,
                                Cookie = table.UsesCookies ? cookies[i] : 0,
                                Mode = options.Mode,
                                UseIoctl = options.UseIoctl,
                            }));
                    }
                    link.SiteCount += sites.Count;
                }
                return link;
            }
            catch
            {
                link.Dispose();
                throw;
            }
        }

        /// <summary>
        /// The address a site has in the process (what the program sees as the instruction pointer), for the address
        /// map of kernels without BPF cookies: the linked address in a fixed-address executable, otherwise where the
        /// process has the file mapped.
        /// </summary>
        internal static ulong RuntimeAddress(UsdtTarget site, int pid)
        {
            if (!site.IsSharedObject) return site.Address;
            if (pid <= 0)
                throw new BpfFeatureNotSupportedException(BpfFeatures.BpfCookie,
                    $"{site.BinaryPath} is position-independent: without BPF cookies its USDT sites can only be attached for one process, whose mappings give their addresses");
            return ProcessMaps.AddressOf(pid, site.BinaryPath, site.FileOffset)
                ?? throw new BpfException($"USDT {site.Provider}:{site.Name}", $"process {pid} has not mapped {site.BinaryPath} (offset 0x{site.FileOffset:x})");
        }
    }
}
