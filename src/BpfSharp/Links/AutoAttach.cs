using BpfSharp.Links;

namespace BpfSharp;

/// <summary>Attaching a program where its section name says (libbpf's <c>bpf_program__attach</c>).</summary>
public static class AutoAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches the program where its section name says, with libbpf's conventions:
        /// <c>raw_tp/sys_enter</c>, <c>tp/syscalls/sys_enter_openat</c>, <c>tp_btf/sched_switch</c>,
        /// <c>fentry/do_unlinkat</c>, <c>kprobe/do_unlinkat+4</c>, <c>ksyscall/openat</c>,
        /// <c>kprobe.multi/vfs_*</c>, <c>uprobe/PATH:SYMBOL[+OFFSET]</c>, <c>uprobe.multi/PATH:PATTERN</c>,
        /// <c>usdt/PATH:PROVIDER:NAME</c>, <c>iter/task</c>; <c>sk_lookup</c> and <c>flow_dissector</c> attach to the calling thread's network
        /// namespace. Sections whose target is not in the name (<c>xdp</c>, <c>tcx/ingress</c>, <c>cgroup_skb/ingress</c>,
        /// <c>netfilter</c>, <c>sk_msg</c>, <c>perf_event</c>...) throw <see cref="InvalidOperationException"/> naming
        /// the Attach* method that takes it (the section row's <see cref="SectionAttacher.Method"/>).
        /// </summary>
        public BpfLink Attach()
        {
            if (program.SectionName is not { } section)
                throw new InvalidOperationException($"{program} has no section name to attach by; use one of the Attach* methods");
            if (!SectionDefinitions.TryMatch(section, out var def, out string target))
                throw new InvalidOperationException($"{program}: section '{section}' is not one BpfSharp knows how to attach");
            return def.Attacher.Attach(program, section, target);
        }
    }
}
