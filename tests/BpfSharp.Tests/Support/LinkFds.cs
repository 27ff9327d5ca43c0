using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Support;

/// <summary>
/// Finds and closes the fd of this process that holds a link, for tests whose link was disconnected and
/// dropped: the fd is deliberately left open then, and the suite must not leak it.
/// </summary>
public static partial class LinkFds
{
    [LibraryImport("libc")]
    private static partial int close(int fd);

    /// <summary>The fds whose fdinfo names link id <paramref name="linkId"/>.</summary>
    public static List<int> Find(uint linkId)
    {
        var fds = new List<int>();
        foreach (var path in Directory.GetFiles("/proc/self/fdinfo"))
        {
            string text;
            try { text = File.ReadAllText(path); }
            catch (IOException) { continue; }
            if (text.Split('\n').Any(l => l.StartsWith("link_id:", StringComparison.Ordinal) && l[8..].Trim() == linkId.ToString()))
                fds.Add(int.Parse(Path.GetFileName(path)));
        }
        return fds;
    }

    public static void CloseAll(uint linkId)
    {
        foreach (int fd in Find(linkId)) close(fd);
    }

    /// <summary>Closes a raw fd (a perf event left open by a disconnected link).</summary>
    public static void Close(int fd) => close(fd);
}
