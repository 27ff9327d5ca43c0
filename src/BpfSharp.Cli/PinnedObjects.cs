namespace BpfSharp.Cli;

internal static class PinnedObjects
{
    /// <summary>Opens the link pinned at <paramref name="path"/>; the library refuses a pin of another kind, by name.</summary>
    public static Links.BpfLink OpenLink(string path)
    {
        return Links.BpfLink.OpenPinned(BpfFsPaths.RequirePin(path));
    }
}
