using BpfSharp.Elf;

namespace BpfSharp.Tracing;

public sealed partial class KernelSymbols
{
    private static readonly Lazy<string[]?> FilterFunctions = new(ReadAvailableFilterFunctions, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The functions ftrace can attach to (tracefs <c>available_filter_functions</c>), sorted and without
    /// duplicates; null when the file is missing or the kernel refuses to list it (ftrace disabled, lockdown).
    /// A function not in it cannot take a kprobe_multi or fentry program even though kallsyms names it.
    /// </summary>
    public static IReadOnlyList<string>? AvailableFilterFunctions => FilterFunctions.Value;

    /// <summary>
    /// The functions matching a glob <paramref name="pattern"/> that a kprobe_multi link can attach to, sorted and
    /// without duplicates: from <see cref="AvailableFilterFunctions"/> when the kernel lists them, else the text
    /// symbols of this table (leaving out BPF programs and ftrace trampolines, which are not functions to probe).
    /// </summary>
    public IReadOnlyList<string> MatchTraceableFunctions(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (AvailableFilterFunctions is { } available)
        {
            foreach (string name in available)
            {
                if (Glob.IsMatch(pattern, name))
                    names.Add(name);
            }
        }
        else
        {
            foreach (KernelSymbol symbol in Match(pattern, functionsOnly: true))
            {
                if (symbol.Module is not ("bpf" or "__builtin__ftrace" or "__builtin__kprobes"))
                    names.Add(symbol.Name);
            }
        }
        return [.. names];
    }

    private static string[]? ReadAvailableFilterFunctions()
    {
        if (TraceFs.FindMountOrNull() is not { } mount)
            return null;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(mount, "available_filter_functions"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            // "name" or "name [module]"; entries ftrace could not place are listed as __ftrace_invalid_address___N.
            int space = line.IndexOf(' ');
            string name = space < 0 ? line.Trim() : line[..space];
            if (name.Length > 0 && !name.StartsWith("__ftrace_invalid_address__", StringComparison.Ordinal))
                names.Add(name);
        }
        return [.. names];
    }
}
