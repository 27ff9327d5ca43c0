using BpfSharp.Links;

namespace BpfSharp.Cli;

/// <summary>
/// How commands name a kernel object: a number is its id, anything else the path of its pin in bpffs; and bpftool's
/// selectors, <c>id N</c>, <c>pinned PATH</c>, <c>name NAME</c> (programs and maps) and <c>tag TAG</c> (programs),
/// which <see cref="Selectors"/> turns into one argument before parsing. A name or tag that several objects share is
/// shown for each by <c>show</c>, and refused, with their ids, by commands that act on one.
/// </summary>
internal static class Targets
{
    public const string Help = "An id or the path of a pin in bpffs (or bpftool's: id N, pinned PATH, name NAME, tag TAG)";

    public static BpfProgram Program(string target) => Single(Programs(target), target, "program");

    public static BpfMap Map(string target) => Single(Maps(target), target, "map");

    public static BpfLink Link(string target) => Single(Links(target), target, "link");

    /// <summary>Every program <paramref name="target"/> selects: one for an id or pin, any number for a name or tag.</summary>
    public static List<BpfProgram> Programs(string target) => Selectors.Parse(target) switch
    {
        // bpftool compares the full name: a cut one (15 characters) through the program's BTF.
        ("name", var name) => Matching(BpfProgram.EnumerateIds(), BpfProgram.FromId, p => ProgramNames.Full(p, p.GetInfo()) == name, target, "program"),
        ("tag", var tag) => Matching(BpfProgram.EnumerateIds(), BpfProgram.FromId, p => p.GetInfo().Tag == tag.ToLowerInvariant(), target, "program"),
        (_, var t) => [uint.TryParse(t, out uint id) ? BpfProgram.FromId(id) : BpfProgram.OpenPinned(ExistingPin(t))],
    };

    public static List<BpfMap> Maps(string target) => Selectors.Parse(target) switch
    {
        ("name", var name) => Matching(BpfMap.EnumerateIds(), BpfMap.FromId, m => m.Name == name, target, "map"),
        ("tag", _) => throw new CliError("maps have no tag: give an id, a pin or a name"),
        (_, var t) => [uint.TryParse(t, out uint id) ? BpfMap.FromId(id) : BpfMap.OpenPinned(ExistingPin(t))],
    };

    public static List<BpfLink> Links(string target) => Selectors.Parse(target) switch
    {
        ("name" or "tag", _) => throw new CliError("links have no name or tag: give an id or a pin"),
        (_, var t) => [uint.TryParse(t, out uint id) ? BpfLink.FromId(id) : BpfLink.OpenPinned(ExistingPin(t))],
    };

    private static string ExistingPin(string path) => BpfFsPaths.RequirePin(path);

    private static List<T> Matching<T>(IEnumerable<uint> ids, Func<uint, T> open, Func<T, bool> matches, string target, string noun) where T : IDisposable
    {
        var found = new List<T>();
        foreach (var o in OpenAll(ids, open))
        {
            if (matches(o)) found.Add(o);
            else o.Dispose();
        }
        return found.Count > 0 ? found : throw new CliError($"no {noun} has {Selectors.Describe(target)}");
    }

    private static T Single<T>(List<T> found, string target, string noun) where T : IDisposable
    {
        if (found.Count == 1) return found[0];
        var ids = found.Select(o => o switch { BpfProgram p => p.Id, BpfMap m => m.Id, BpfLink l => l.Id, _ => 0u }).ToList();
        foreach (var o in found) (o as BpfLink)?.Disconnect();
        foreach (var o in found) o.Dispose();
        throw new CliError($"{Selectors.Describe(target)} selects {found.Count} {noun}s ({string.Join(", ", ids)}): give an id");
    }

    /// <summary>Opens each object of a list, skipping those that went away between listing and opening.</summary>
    public static IEnumerable<T> OpenAll<T>(IEnumerable<uint> ids, Func<uint, T> open)
    {
        foreach (var id in ids)
        {
            T item;
            try { item = open(id); }
            catch (BpfException e) when (e.Errno == Errno.ENOENT) { continue; }
            yield return item;
        }
    }
}
