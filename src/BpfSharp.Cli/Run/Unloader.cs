using BpfSharp.Tracing;

namespace BpfSharp.Cli.Run;

/// <summary>Undoes a kept run: detaches each pinned link, removes every pin, then the empty directories.</summary>
internal static class Unloader
{
    public static int Unload(string dir)
    {
        if (!Directory.Exists(dir)) throw new CliError($"{dir}: no such directory");
        if (!BpfFs.IsBpfFs(dir)) throw new CliError($"{dir}: not on a BPF filesystem");
        int links = 0, others = 0;
        string linkDir = PinLayout.Links(dir);
        if (Directory.Exists(linkDir))
        {
            foreach (var path in Directory.EnumerateFiles(linkDir))
            {
                DetachPinned(path);
                links++;
            }
        }
        // Maps, and anything else left in the tree: removing the pin drops the last reference.
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            File.Delete(path);
            others++;
        }
        RemoveEmptyDirectories(dir);
        // Probe events of the process that attached (long gone) are left in tracefs otherwise.
        try { TraceFs.RemoveStaleProbeEvents(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpfException or NotSupportedException) { }
        Console.WriteLine($"detached {links} {(links == 1 ? "link" : "links")}, removed {others} other {(others == 1 ? "pin" : "pins")} under {dir}");
        return 0;
    }

    private static void DetachPinned(string path)
    {
        var link = PinnedObjects.OpenLink(path);
        try
        {
            // Kinds with BPF_LINK_DETACH detach at once, even if another process holds an fd; the others go when
            // the pin and this fd, their last references, are gone.
            try { link.Detach(); }
            catch (NotSupportedException) { }
            link.Unpin();
        }
        finally
        {
            link.Dispose();
        }
    }

    public static void RemoveEmptyDirectories(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var sub in Directory.EnumerateDirectories(dir)) RemoveEmptyDirectories(sub);
        if (!Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
    }
}
