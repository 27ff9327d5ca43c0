namespace BpfSharp.Cli;

/// <summary>
/// bpftool's object selectors in <c>prog</c>, <c>map</c> and <c>link</c> commands: <c>id N</c>, <c>pinned PATH</c>,
/// <c>name NAME</c>, <c>tag TAG</c>. Before parsing, each keyword and its value become one argument (an id or path as
/// is; a name or tag marked so that no path can be mistaken for it), so every command that takes an object takes them.
/// </summary>
internal static class Selectors
{
    private const char Mark = '\u0001'; // cannot come from a command line as part of a path the user means

    private static readonly HashSet<string> Nouns = ["prog", "map", "link", "btf", "cgroup", "net", "struct_ops", "iter"];

    public static string[] Rewrite(string[] args)
    {
        if (args.Length == 0 || !Nouns.Contains(args[0])) return args;
        var rest = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            bool afterOption = i > 0 && args[i - 1].StartsWith('-'); // the value of --key, --program...
            if (!afterOption && i + 1 < args.Length && i >= 2)
            {
                switch (args[i])
                {
                    case "id" or "pinned":
                        rest.Add(args[++i]);
                        continue;
                    case "name" or "tag":
                        rest.Add($"{Mark}{args[i]}{Mark}{args[++i]}");
                        continue;
                }
            }
            rest.Add(args[i]);
        }
        return [.. rest];
    }

    /// <summary>("name", NAME) or ("tag", TAG) for a marked selector, else ("", the argument).</summary>
    public static (string Kind, string Value) Parse(string target)
    {
        if (target.Length > 0 && target[0] == Mark)
        {
            int second = target.IndexOf(Mark, 1);
            return (target[1..second], target[(second + 1)..]);
        }
        return ("", target);
    }

    public static string Describe(string target) => Parse(target) switch
    {
        ("", var t) => t,
        (var kind, var value) => $"{kind} {value}",
    };
}
