using BpfSharp.Links;

namespace BpfSharp;

/// <summary>The optional parts of <c>AttachTcFilter</c>.</summary>
public sealed class TcFilterOptions
{
    /// <summary>The filter's priority (lower runs first); 0 lets the kernel choose one.</summary>
    public ushort Priority { get; init; }

    /// <summary>The filter's handle within its priority; 0 lets the kernel choose one.</summary>
    public uint Handle { get; init; }

    /// <summary>Replace the filter at <see cref="Priority"/> and <see cref="Handle"/> (both must be set); by default an existing one fails the attach with EEXIST.</summary>
    public bool ReplaceExisting { get; init; }

    /// <summary>The name tc shows for the filter; the program's name by default.</summary>
    public string? Name { get; init; }
}

/// <summary>TcFilterAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class TcFilterAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a sched_cls program the classic tc way, as <c>tc filter add dev X ingress bpf da</c> does: a
        /// clsact qdisc on the interface (added when missing, and left in place) and a direct-action cls_bpf filter
        /// running the program, whose return value is the tc action (TC_ACT_OK = 0, TC_ACT_SHOT = 2...). The
        /// result is a <see cref="TcFilterAttachment"/>: the filter stays after the process exits until it is
        /// disposed or deleted. The interface is in the calling thread's network namespace.
        /// </summary>
        public TcFilterAttachment AttachTcFilter(int ifindex, TcDirection direction, TcFilterOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
            options ??= new TcFilterOptions();
            if (options.ReplaceExisting && (options.Priority == 0 || options.Handle == 0))
                throw new ArgumentException("replacing a filter needs its priority and handle", nameof(options));
            return TcFilterAttachment.Attach(program, ifindex, direction, options);
        }

        /// <summary>Attaches a tc filter to the interface named <paramref name="interfaceName"/>.</summary>
        public TcFilterAttachment AttachTcFilter(string interfaceName, TcDirection direction, TcFilterOptions? options = null) =>
            program.AttachTcFilter(NetworkInterfaces.IndexOf(interfaceName), direction, options);
    }
}
