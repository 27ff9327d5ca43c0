using BpfSharp.Interop;

namespace BpfSharp.Tracing;

/// <summary>
/// A kprobe or uprobe event this process created in tracefs (<see cref="TraceFs.CreateKprobeEvent"/>,
/// <see cref="TraceFs.CreateUprobeEvent"/>). Open it as a perf event of type <c>PERF_TYPE_TRACEPOINT</c> with
/// <see cref="Id"/> as <c>config</c>. <see cref="Dispose"/> removes it from tracefs.
/// </summary>
/// <remarks>
/// The kernel refuses to remove an event while a perf event on it is open (<c>EBUSY</c>): close the perf event
/// first, then dispose this. An event that is never disposed stays in tracefs after the process exits, until
/// <see cref="TraceFs.RemoveStaleProbeEvents"/> finds its owner gone; there is deliberately no finalizer, because
/// finalizers run in no particular order and the perf event may still be open.
/// </remarks>
public sealed class ProbeEvent : IDisposable
{
    private readonly Lock _lock = new();
    private bool _removed;

    internal ProbeEvent(ProbeEventKind kind, string category, string name, int id, bool isRetprobe, string definition)
    {
        Kind = kind;
        Category = category;
        Name = name;
        Id = id;
        IsRetprobe = isRetprobe;
        Definition = definition;
    }

    /// <summary>Whether it is a kprobe or a uprobe event.</summary>
    public ProbeEventKind Kind { get; }

    /// <summary>The event's group, <c>bpfsharp_&lt;pid&gt;</c>: its directory under <c>events/</c>.</summary>
    public string Category { get; }

    /// <summary>The event's name within <see cref="Category"/>.</summary>
    public string Name { get; }

    /// <summary>The tracepoint id (<c>events/&lt;Category&gt;/&lt;Name&gt;/id</c>): the perf event's <c>config</c>.</summary>
    public int Id { get; }

    /// <summary>Whether this is a kretprobe or uretprobe (it fires on return).</summary>
    public bool IsRetprobe { get; }

    /// <summary>The command that created it, e.g. <c>p:bpfsharp_4242/readline_0 /usr/bin/bash:0xc6c20</c>.</summary>
    public string Definition { get; }

    /// <summary>Whether <see cref="Dispose"/> has removed the event (or found it already gone).</summary>
    public bool IsRemoved
    {
        get
        {
            lock (_lock) return _removed;
        }
    }

    /// <summary>
    /// Removes the event from tracefs (<c>-:group/event</c>); an event someone else already removed counts as
    /// removed. Idempotent.
    /// </summary>
    /// <exception cref="BpfException">
    /// The kernel refused, typically <c>EBUSY</c> because a perf event on it is still open; the event is then left
    /// in place and a later call can try again.
    /// </exception>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_removed)
                return;
            int errno = TraceFs.TryRemoveProbeEvent(Kind, Category, Name);
            if (errno is not (0 or Errnos.ENOENT))
            {
                string hint = errno == Errnos.EBUSY ? "; the event is in use: close the perf event opened on it first" : "";
                throw new BpfException($"remove {TraceFs.KindName(Kind)} event", errno, $"{Category}/{Name}{hint}");
            }
            _removed = true;
        }
    }

    /// <summary>The event's group, name, id and definition.</summary>
    public override string ToString() => $"{Category}/{Name} (id {Id}): {Definition}";
}
