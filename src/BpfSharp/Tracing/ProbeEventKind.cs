namespace BpfSharp.Tracing;

/// <summary>Which tracefs control file a probe event lives in.</summary>
public enum ProbeEventKind
{
    /// <summary>A kprobe or kretprobe, defined in <c>kprobe_events</c>.</summary>
    Kprobe,
    /// <summary>A uprobe or uretprobe, defined in <c>uprobe_events</c>.</summary>
    Uprobe,
}
