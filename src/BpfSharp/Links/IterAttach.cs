using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>IterAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static unsafe class IterAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>Creates an iterator link for an iter program (its target was fixed at load by its BTF id).</summary>
        public IterLink AttachIter(IterAttachOptions? options = null)
        {
            using var refs = new HandleRefs();
            var info = new IterLinkInfoAttr();
            bool hasInfo = false;
            if (options?.Map is { } map)
            {
                info.map_fd = refs.Add(map.Handle);
                hasInfo = true;
            }
            else if (options is { ThreadId: not 0 } or { ProcessId: not 0 })
            {
                info.task_tid = (uint)options.ThreadId;
                info.task_pid = (uint)options.ProcessId;
                hasInfo = true;
            }
            else if (options is { CgroupId: not 0 })
            {
                info.cgroup_id = options.CgroupId;
                info.cgroup_order = options.CgroupOrder;
                hasInfo = true;
            }
            var attr = new LinkCreateAttr
            {
                prog_fd = refs.Add(program.Handle),
                attach_type = (uint)BpfAttachType.TraceIter,
                iter_info = hasInfo ? (ulong)(&info) : 0,
                iter_info_len = hasInfo ? (uint)sizeof(IterLinkInfoAttr) : 0,
            };
            var fd = Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} as an iterator");
            return new IterLink(fd);
        }
    }
}
