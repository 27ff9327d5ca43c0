using System.Runtime.InteropServices;

namespace BpfSharp.Cli;

internal enum BpfObjectKind { Unknown, Program, Map, Link }

/// <summary>
/// What kind of BPF object an fd refers to. BPF_OBJ_GET_INFO_BY_FD answers for any kind without saying which,
/// so the kernel's fdinfo (<c>prog_type:</c>, <c>map_type:</c>, <c>link_type:</c>) decides.
/// </summary>
internal static class PinnedObjects
{
    public static BpfObjectKind KindOf(SafeHandle fd)
    {
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            foreach (var line in File.ReadLines($"/proc/self/fdinfo/{fd.DangerousGetHandle()}"))
            {
                if (line.StartsWith("link_type:", StringComparison.Ordinal)) return BpfObjectKind.Link;
                if (line.StartsWith("map_type:", StringComparison.Ordinal)) return BpfObjectKind.Map;
                if (line.StartsWith("prog_type:", StringComparison.Ordinal)) return BpfObjectKind.Program;
            }
            return BpfObjectKind.Unknown;
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    /// <summary>Opens the link pinned at <paramref name="path"/>, refusing a pin of another kind.</summary>
    public static Links.BpfLink OpenLink(string path)
    {
        if (!File.Exists(path)) throw new CliError($"{path}: no such pin");
        var link = Links.BpfLink.OpenPinned(path);
        var kind = KindOf(link.Handle!);
        if (kind == BpfObjectKind.Link) return link;
        link.Disconnect(); // leave whatever it is alone
        link.Handle!.Dispose();
        throw new CliError($"{path} is a pinned {kind.ToString().ToLowerInvariant()}, not a link");
    }
}
