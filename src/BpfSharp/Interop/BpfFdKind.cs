namespace BpfSharp.Interop;

/// <summary>
/// Which kind of BPF object an fd refers to. BPF_OBJ_GET (a pin) and BPF_OBJ_GET_INFO_BY_FD answer for any kind, so
/// a map's pin would pass for a link's: the kernel's <c>/proc/self/fdinfo</c> entry names the kind
/// (<c>map_type:</c>, <c>prog_type:</c>, <c>link_type:</c>).
/// </summary>
internal static class BpfFdKind
{
    public const string Map = "map", Program = "prog", Link = "link";

    private static readonly (string Key, string Noun)[] Kinds = [("map_type:", "map"), ("prog_type:", "program"), ("link_type:", "link")];

    /// <summary>Throws when <paramref name="handle"/> is not a BPF object of <paramref name="kind"/>.</summary>
    public static void Require(SafeFdHandle handle, string kind, string what)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/self/fdinfo/{handle.Fd}");
        }
        catch (IOException)
        {
            return; // no procfs here: the info call that follows is the only check left
        }
        if (text.Contains($"\n{kind}_type:", StringComparison.Ordinal)) return;
        string actual = Kinds.FirstOrDefault(k => text.Contains("\n" + k.Key, StringComparison.Ordinal)).Noun ?? "not a BPF object";
        string expected = Kinds.First(k => k.Key == kind + "_type:").Noun;
        throw new BpfException(what, $"expected a BPF {expected}, found {(actual.StartsWith("not", StringComparison.Ordinal) ? actual : "a BPF " + actual)}");
    }
}
