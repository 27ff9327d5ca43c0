namespace BpfSharp.Cli;

/// <summary>
/// bpftool's output options, taken wherever they stand on the line (<c>bpfsharp -j prog list</c>,
/// <c>bpfsharp prog list --pretty</c>) and for every command, as bpftool takes them: <c>-j</c>/<c>--json</c> for
/// JSON, <c>-p</c>/<c>--pretty</c> for indented JSON. In <c>run</c>, <c>-p</c> keeps its meaning there
/// (<c>--program</c>). Arguments after <c>--</c> are left alone.
/// </summary>
internal static class GlobalOptions
{
    public static bool Json { get; private set; }

    public static bool Pretty { get; private set; }

    /// <summary>Sets <see cref="Json"/> and <see cref="Pretty"/> and returns the other arguments, in order.</summary>
    public static string[] Extract(string[] args)
    {
        bool pIsProgram = args.FirstOrDefault(a => !a.StartsWith('-')) == "run";
        var rest = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                rest.AddRange(args.AsSpan(i));
                break;
            }
            switch (a)
            {
                case "-j" or "--json":
                    Json = true;
                    continue;
                case "--pretty":
                case "-p" or "-jp" or "-pj" when !pIsProgram:
                    Json = Pretty = true;
                    continue;
            }
            rest.Add(a);
        }
        return [.. rest];
    }
}
