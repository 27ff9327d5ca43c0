using System.Globalization;

namespace BpfSharp.Tracing;

/// <summary>The file-backed mappings of a process, from <c>/proc/PID/maps</c>.</summary>
internal static class ProcessMaps
{
    /// <summary>One file-backed mapping: its path, the address range and the file offset it starts at.</summary>
    internal readonly record struct Mapping(string Path, ulong Start, ulong End, ulong Offset, bool Executable, uint Major, uint Minor, ulong Inode)
    {
        /// <summary>Whether the mapping holds file offset <paramref name="fileOffset"/>.</summary>
        public bool Holds(ulong fileOffset) => fileOffset >= Offset && fileOffset - Offset < End - Start;
    }

    /// <exception cref="BpfException">The process does not exist or cannot be read.</exception>
    public static IReadOnlyList<Mapping> Read(int pid)
    {
        string[] lines;
        try { lines = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/maps"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BpfException($"/proc/{pid}/maps", $"the process's mappings cannot be read: {e.Message}");
        }
        var maps = new List<Mapping>();
        foreach (string line in lines)
        {
            // "start-end perms offset dev inode   /path": the path is the rest of the line from its first '/'.
            int slash = line.IndexOf('/');
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (slash < 0 || f.Length < 6 || line.EndsWith(" (deleted)", StringComparison.Ordinal)) continue;
            int dash = f[0].IndexOf('-'), colon = f[3].IndexOf(':');
            maps.Add(new Mapping(line[slash..],
                ulong.Parse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                f[1].Length > 2 && f[1][2] == 'x',
                uint.Parse(f[3].AsSpan(0, colon), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                uint.Parse(f[3].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(f[4], CultureInfo.InvariantCulture)));
        }
        return maps;
    }

    /// <summary>
    /// Where process <paramref name="pid"/> has file offset <paramref name="fileOffset"/> of the file at
    /// <paramref name="path"/> mapped executable, or null when it has not. The file is recognised by its device
    /// and inode, whatever path (a link, another mount namespace's) names it, or by its path: on overlayfs the
    /// maps list the lower layer's device while stat() reports the overlay's.
    /// </summary>
    public static ulong? AddressOf(int pid, string path, ulong fileOffset)
    {
        if (!Interop.Libc.TryGetFileId(path, out uint major, out uint minor, out ulong inode)) return null;
        string fullPath = Path.GetFullPath(path);
        // A file found through the process's root is listed in its maps by the path inside that root.
        string root = $"/proc/{pid}/root/";
        if (fullPath.StartsWith(root, StringComparison.Ordinal)) fullPath = fullPath[(root.Length - 1)..];
        foreach (var m in Read(pid))
        {
            bool sameFile = m.Inode == inode && m.Major == major && m.Minor == minor || m.Path == fullPath;
            if (m.Executable && sameFile && m.Holds(fileOffset))
                return m.Start + (fileOffset - m.Offset);
        }
        return null;
    }
}
