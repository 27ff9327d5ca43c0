using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.Tracing;

namespace BpfSharp;

/// <summary>How a kprobe or uprobe is created.</summary>
public enum ProbeAttachMode
{
    /// <summary>The kprobe/uprobe PMU where the kernel has it (Linux 4.17), a tracefs probe event otherwise.</summary>
    Auto,
    /// <summary>perf_event_open on the kprobe/uprobe PMU: nothing is left in tracefs, even after a crash.</summary>
    Pmu,
    /// <summary>A tracefs probe event (named with our pid), then a tracepoint perf event on it.</summary>
    TraceFs,
}

/// <summary>The optional parts of a kprobe or kretprobe attachment.</summary>
public sealed class KprobeAttachOptions
{
    /// <summary>Fire on return (kretprobe) instead of entry.</summary>
    public bool Retprobe { get; init; }

    /// <summary>The byte offset into the function.</summary>
    public ulong Offset { get; init; }

    /// <summary>The BPF cookie, which the program reads with <c>bpf_get_attach_cookie</c>.</summary>
    public ulong Cookie { get; init; }
    /// <summary>How the probe is created (PMU or tracefs).</summary>
    public ProbeAttachMode Mode { get; init; }

    /// <summary>Attach with PERF_EVENT_IOC_SET_BPF instead of a perf link.</summary>
    public bool UseIoctl { get; init; }
}

/// <summary>The optional parts of a uprobe or uretprobe attachment.</summary>
public sealed class UprobeAttachOptions
{
    /// <summary>Fire on return (uretprobe) instead of entry.</summary>
    public bool Retprobe { get; init; }

    /// <summary>Added to the symbol's file offset; with no symbol, the file offset itself.</summary>
    public ulong Offset { get; init; }

    /// <summary>Only this process; -1 (the default) for every process running the binary.</summary>
    public int ProcessId { get; init; } = -1;

    /// <summary>The BPF cookie, which the program reads with <c>bpf_get_attach_cookie</c>.</summary>
    public ulong Cookie { get; init; }

    /// <summary>The file offset of a USDT semaphore the kernel increments while the probe is attached.</summary>
    public ulong ReferenceCounterOffset { get; init; }

    /// <summary>How the probe is created (PMU or tracefs).</summary>
    public ProbeAttachMode Mode { get; init; }
    /// <summary>Attach with PERF_EVENT_IOC_SET_BPF instead of a perf link.</summary>
    public bool UseIoctl { get; init; }
}

/// <summary>ProbeAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static unsafe class ProbeAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches to the tracefs tracepoint <paramref name="category"/>/<paramref name="name"/> (e.g.
        /// <c>syscalls</c>/<c>sys_enter_openat</c>) through a perf event and a perf link.
        /// </summary>
        public BpfLink AttachTracepoint(string category, string name, PerfEventAttachOptions? options = null)
        {
            int id = TraceFs.GetTracepointId(category, name);
            var perf = OpenTracepointEvent(id, $"tracepoint {category}/{name}");
            return program.AttachToPerfEvent(perf, options ?? new(), probeEvent: null, $"tracepoint {category}/{name}");
        }

        /// <summary>Attaches a kprobe (or kretprobe) to a kernel function.</summary>
        public BpfLink AttachKprobe(string function, KprobeAttachOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(function);
            options ??= new();
            var perfOptions = new PerfEventAttachOptions { Cookie = options.Cookie, UseIoctl = options.UseIoctl };
            string what = $"{(options.Retprobe ? "kretprobe" : "kprobe")} {function}+{options.Offset}";
            if (UsePmu(options.Mode, ProbePmu.Kprobe, BpfFeatures.KprobeEvents, BpfFeatures.Kprobes, what))
            {
                var name = Bpf.CString(function);
                fixed (byte* p = name)
                {
                    var attr = new PerfEventAttr
                    {
                        type = ProbePmu.Kprobe.Type,
                        config = ProbePmu.Kprobe.GetConfig(options.Retprobe),
                        config1 = (ulong)p,
                        config2 = options.Offset,
                        sample_period = 1,
                        wakeup_events = 1,
                        flags = PerfEventAttrFlags.Disabled,
                    };
                    var perf = PerfEvent.Open(ref attr, -1, 0, what);
                    return program.AttachToPerfEvent(perf, perfOptions, probeEvent: null, what);
                }
            }
            var ev = TraceFs.CreateKprobeEvent(function, options.Offset, options.Retprobe);
            return program.AttachToProbeEvent(ev, perfOptions, -1, what);
        }

        /// <summary>
        /// Attaches a kprobe to a system call by its name (<c>openat</c>), through the architecture's syscall
        /// wrapper (<c>__x64_sys_openat</c>, <c>__arm64_sys_openat</c>).
        /// </summary>
        public BpfLink AttachKsyscall(string syscall, KprobeAttachOptions? options = null) =>
            program.AttachKprobe(KernelSymbols.Current.SyscallFunctionName(syscall), options);

        /// <summary>
        /// Attaches a uprobe (or uretprobe) to <paramref name="symbol"/> in an executable or library
        /// (<c>/usr/bin/bash</c>, <c>libc.so.6</c>); the symbol is looked up in .symtab and .dynsym and turned
        /// into a file offset. A null symbol takes <see cref="UprobeAttachOptions.Offset"/> as the file offset.
        /// </summary>
        public BpfLink AttachUprobe(string binaryPath, string? symbol, UprobeAttachOptions? options = null)
        {
            options ??= new();
            string path;
            ulong offset;
            if (symbol is null)
            {
                path = BinaryLocator.Resolve(binaryPath, Math.Max(options.ProcessId, 0));
                offset = options.Offset;
            }
            else
            {
                var target = UprobeTarget.Resolve(binaryPath, symbol, Math.Max(options.ProcessId, 0));
                path = target.BinaryPath;
                offset = target.FileOffset + options.Offset;
            }
            var perfOptions = new PerfEventAttachOptions { Cookie = options.Cookie, UseIoctl = options.UseIoctl };
            string what = $"{(options.Retprobe ? "uretprobe" : "uprobe")} {path}:{symbol ?? "0x" + offset.ToString("x")}";
            // A uprobe for one process is opened on that process, on any CPU; for every process, on CPU 0.
            int pid = options.ProcessId;
            if (UsePmu(options.Mode, ProbePmu.Uprobe, BpfFeatures.UprobeEvents, BpfFeatures.Uprobes, what))
            {
                var name = Bpf.CString(path);
                fixed (byte* p = name)
                {
                    var attr = new PerfEventAttr
                    {
                        type = ProbePmu.Uprobe.Type,
                        config = ProbePmu.Uprobe.GetConfig(options.Retprobe, options.ReferenceCounterOffset),
                        config1 = (ulong)p,
                        config2 = offset,
                        sample_period = 1,
                        wakeup_events = 1,
                        flags = PerfEventAttrFlags.Disabled,
                    };
                    var perf = PerfEvent.Open(ref attr, pid, pid == -1 ? 0 : -1, what);
                    return program.AttachToPerfEvent(perf, perfOptions, probeEvent: null, what);
                }
            }
            var ev = TraceFs.CreateUprobeEvent(path, offset, options.Retprobe, options.ReferenceCounterOffset, symbol);
            return program.AttachToProbeEvent(ev, perfOptions, pid, what);
        }

        /// <summary>Which mechanism attaches; a missing one is named by its probe (<paramref name="either"/> when both are missing).</summary>
        internal static bool UsePmu(ProbeAttachMode mode, ProbePmu pmu, BpfFeature events, BpfFeature either, string what) => mode switch
        {
            ProbeAttachMode.Pmu => pmu.IsAvailable ? true : throw new BpfFeatureNotSupportedException(pmu.Feature, pmu.Feature.MissingReason ?? ""),
            ProbeAttachMode.TraceFs => events.IsSupported ? false : throw new BpfFeatureNotSupportedException(events, events.MissingReason ?? ""),
            _ => pmu.IsAvailable || (events.IsSupported ? false : throw new BpfFeatureNotSupportedException(either, $"{either.MissingReason} (attaching {what})")),
        };

        /// <summary>Opens a tracepoint perf event on a probe event and attaches; on failure the probe event is removed.</summary>
        internal BpfLink AttachToProbeEvent(ProbeEvent ev, PerfEventAttachOptions options, int pid, string what)
        {
            SafeFdHandle perf;
            try
            {
                perf = OpenTracepointEvent(ev.Id, what, pid);
            }
            catch
            {
                ev.Dispose();
                throw;
            }
            return program.AttachToPerfEvent(perf, options, ev, what);
        }

        internal static SafeFdHandle OpenTracepointEvent(int id, string what, int pid = -1)
        {
            var attr = new PerfEventAttr
            {
                type = PerfEvent.PERF_TYPE_TRACEPOINT,
                config = (ulong)id,
                sample_period = 1,
                wakeup_events = 1,
                flags = PerfEventAttrFlags.Disabled,
            };
            return PerfEvent.Open(ref attr, pid, pid == -1 ? 0 : -1, what);
        }
    }
}
