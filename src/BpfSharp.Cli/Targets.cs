using BpfSharp.Links;

namespace BpfSharp.Cli;

/// <summary>
/// How commands name a kernel object: a number is its id, anything else the path of its pin in bpffs.
/// </summary>
internal static class Targets
{
    public const string Help = "An id, or the path of a pin in bpffs";

    public static BpfProgram Program(string target) =>
        uint.TryParse(target, out uint id) ? BpfProgram.FromId(id) : BpfProgram.OpenPinned(ExistingPin(target));

    public static BpfMap Map(string target) =>
        uint.TryParse(target, out uint id) ? BpfMap.FromId(id) : BpfMap.OpenPinned(ExistingPin(target));

    public static BpfLink Link(string target) =>
        uint.TryParse(target, out uint id) ? BpfLink.FromId(id) : BpfLink.OpenPinned(ExistingPin(target));

    private static string ExistingPin(string path) => BpfFsPaths.RequirePin(path);

    /// <summary>Opens each object of a list, skipping those that went away between listing and opening.</summary>
    public static IEnumerable<T> OpenAll<T>(IEnumerable<uint> ids, Func<uint, T> open)
    {
        foreach (var id in ids)
        {
            T item;
            try { item = open(id); }
            catch (BpfException e) when (e.ErrnoName == "ENOENT") { continue; }
            yield return item;
        }
    }
}
