using System.Globalization;

namespace BpfSharp.Tracing;

/// <summary>
/// One line of <c>kprobe_events</c> or <c>uprobe_events</c>, e.g.
/// <c>p:bpfsharp_4242/readline_0 /usr/bin/bash:0x00000000000c6c20</c>.
/// </summary>
public sealed class ProbeEventInfo
{
    private ProbeEventInfo(ProbeEventKind kind, string category, string name, bool isRetprobe, string location, string definition)
    {
        Kind = kind;
        Category = category;
        Name = name;
        IsRetprobe = isRetprobe;
        Location = location;
        Definition = definition;
        OwnerPid = TraceFs.ParseOwnerPid(category);
    }

    /// <summary>Whether it is a kprobe or a uprobe event.</summary>
    public ProbeEventKind Kind { get; }

    /// <summary>The event's group (its directory under <c>events/</c>).</summary>
    public string Category { get; }

    /// <summary>The event's name.</summary>
    public string Name { get; }

    /// <summary>Whether the event fires on return (<c>r:</c>).</summary>
    public bool IsRetprobe { get; }

    /// <summary>Everything after the name: the probed place and any fetch arguments.</summary>
    public string Location { get; }

    /// <summary>The line as the kernel lists it.</summary>
    public string Definition { get; }

    /// <summary>The pid of the process that created the event, for events BpfSharp created; null for others.</summary>
    public int? OwnerPid { get; }

    /// <summary>
    /// Parses a line in the kernel's listing format: <c>p|r[maxactive]:group/event place [args]</c>.
    /// Returns null for anything else.
    /// </summary>
    public static ProbeEventInfo? TryParse(ProbeEventKind kind, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string definition = line.Trim();
        int colon = definition.IndexOf(':');
        int space = definition.IndexOf(' ');
        if (colon < 1 || (space >= 0 && space < colon))
            return null;
        ReadOnlySpan<char> type = definition.AsSpan(0, colon);
        bool retprobe = type[0] == 'r';
        if (type[0] is not ('p' or 'r') || (type.Length > 1 && (!retprobe || !uint.TryParse(type[1..], NumberStyles.None, CultureInfo.InvariantCulture, out _))))
            return null;
        string fullName = space < 0 ? definition[(colon + 1)..] : definition[(colon + 1)..space];
        int slash = fullName.IndexOf('/');
        if (slash < 1 || slash == fullName.Length - 1)
            return null;
        string location = space < 0 ? "" : definition[(space + 1)..].Trim();
        return new ProbeEventInfo(kind, fullName[..slash], fullName[(slash + 1)..], retprobe, location, definition);
    }

    /// <summary>The event's definition, as tracefs lists it.</summary>
    public override string ToString() => Definition;
}
