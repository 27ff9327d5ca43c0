using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.Tracing;

namespace BpfSharp;

/// <summary>Options for attaching to a perf event.</summary>
public sealed class PerfEventAttachOptions
{
    /// <summary>A value the program reads with <c>bpf_get_attach_cookie</c> (perf links only, Linux 5.15).</summary>
    public ulong Cookie { get; init; }

    /// <summary>Attach with PERF_EVENT_IOC_SET_BPF even where perf links exist (no pinning, no cookie).</summary>
    public bool UseIoctl { get; init; }
}

/// <summary>PerfEventAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static unsafe class PerfEventAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches the program to an open perf event, which the link takes over: disposing the link disables
        /// and closes it. A BPF perf link is used where the kernel has one (Linux 5.15), otherwise (or with
        /// <see cref="PerfEventAttachOptions.UseIoctl"/>) PERF_EVENT_IOC_SET_BPF. On failure the perf event is closed.
        /// </summary>
        public BpfLink AttachPerfEvent(SafeFdHandle perfEvent, PerfEventAttachOptions? options = null) =>
            program.AttachToPerfEvent(perfEvent, options ?? new(), probeEvent: null, what: "perf event");

        /// <summary>The common end of every perf-event-based attach; on failure it closes the event and removes the probe.</summary>
        internal BpfLink AttachToPerfEvent(SafeFdHandle perfEvent, PerfEventAttachOptions options, ProbeEvent? probeEvent, string what)
        {
            BpfLink? link = null;
            try
            {
                if (!options.UseIoctl && BpfFeatures.PerfLinks.IsSupported)
                {
                    using var prog = new HandleUse(program.Handle);
                    using var pe = new HandleUse(perfEvent);
                    var attr = new LinkCreateAttr
                    {
                        prog_fd = prog.Fd,
                        target_fd = pe.Fd,
                        attach_type = (uint)BpfAttachType.PerfEvent,
                        perf_event_bpf_cookie = options.Cookie,
                    };
                    var fd = Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} to {what}");
                    link = new PerfEventLink(fd, perfEvent, probeEvent);
                }
                else
                {
                    if (options.Cookie != 0)
                        throw new NotSupportedException($"a BPF cookie needs a perf link; {(options.UseIoctl ? "UseIoctl was requested" : BpfFeatures.PerfLinks.MissingReason)}");
                    using var prog = new HandleUse(program.Handle);
                    PerfEvent.Ioctl(perfEvent, PerfEvent.PERF_EVENT_IOC_SET_BPF, (nint)prog.Fd, $"{program} to {what}");
                    link = new PerfEventIoctlLink(perfEvent, probeEvent);
                }
                // Events are opened disabled so the program is in place before the first hit.
                PerfEvent.Ioctl(perfEvent, PerfEvent.PERF_EVENT_IOC_ENABLE, 0, what);
                return link;
            }
            catch
            {
                // A link created before the enable failed holds the event: close it too, so nothing stays attached.
                link?.Handle?.Dispose();
                PerfEventIoctlLink.CloseEvent(perfEvent, probeEvent);
                throw;
            }
        }


    }
}

public static unsafe partial class BpfFeatures
{
    /// <summary>BPF links over perf events (Linux 5.15): probed with an invalid perf fd, which a kernel that has them answers EBADF.</summary>
    public static BpfFeature PerfLinks { get; } = new("BPF_LINK_CREATE for perf events", "5.15", () =>
    {
        var insns = new Asm.BpfAssembler().Mov64(Asm.BpfRegister.R0, 0).Exit().Build();
        using var prog = BpfProgram.Load(BpfProgramType.Tracepoint, insns, new BpfProgramLoadOptions { Name = "probe" });
        using var use = new HandleUse(prog.Handle);
        var attr = new LinkCreateAttr { prog_fd = use.Fd, target_fd = uint.MaxValue, attach_type = (uint)BpfAttachType.PerfEvent };
        int r = Bpf.TryCall(BpfCommand.BPF_LINK_CREATE, ref attr);
        return r == -Errnos.EBADF ? null : $"{Errnos.Name(-r)} from BPF_LINK_CREATE";
    });
}
