namespace BpfSharp.Cli;

/// <summary>
/// Whether a path lies on a bpffs mount (a pinned object can live nowhere else), read from <c>/proc/self/mounts</c>:
/// the kernel's answer for a file elsewhere is a bare EACCES or EPERM, which says nothing of the real mistake.
/// </summary>
internal static class BpfFsPaths
{
    /// <summary>True when the longest mount point that holds <paramref name="path"/> is a bpffs, or when mounts cannot be read.</summary>
    public static bool IsOnBpfFs(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
            if (File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } resolved) full = resolved.FullName;
        }
        catch (IOException) { return true; }
        string[] lines;
        try { lines = File.ReadAllLines("/proc/self/mounts"); }
        catch (IOException) { return true; }
        string? bestType = null;
        int bestLength = -1;
        foreach (var line in lines)
        {
            var fields = line.Split(' ');
            if (fields.Length < 3) continue;
            string mount = fields[1].Replace("\\040", " ", StringComparison.Ordinal);
            bool holds = mount == "/" || full == mount || full.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (holds && mount.Length >= bestLength)
            {
                bestLength = mount.Length;
                bestType = fields[2];
            }
        }
        return bestType is null or "bpf";
    }

    /// <summary>The path, when it names a file on bpffs; a <see cref="CliError"/> saying which is missing otherwise.</summary>
    public static string RequirePin(string path)
    {
        if (!File.Exists(path)) throw new CliError($"{path}: no such pin (give an id or the path of a pinned object)");
        if (!IsOnBpfFs(path)) throw new CliError($"{path}: not in bpffs (pinned objects live on a bpf filesystem such as /sys/fs/bpf)");
        return path;
    }
}
