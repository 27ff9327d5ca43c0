namespace BpfSharp.Build;

/// <summary>Finds the clang that compiles BPF C: <c>clang</c> on PATH, else the newest versioned <c>clang-N</c>.</summary>
internal static class ClangLocator
{
    /// <summary>The oldest clang whose BPF back end emits what BpfSharp loads (BTF, CO-RE relocations, .maps).</summary>
    private const int OldestVersion = 12;
    private const int NewestVersion = 30;

    /// <summary>The names tried, in order: <c>clang</c>, then <c>clang-30</c> down to <c>clang-12</c>.</summary>
    public static IEnumerable<string> CandidateNames()
    {
        yield return "clang";
        for (int v = NewestVersion; v >= OldestVersion; v--)
            yield return $"clang-{v}";
    }

    /// <summary>
    /// The clang to run: <paramref name="requested"/> (a path, or a name looked up on PATH) when given, else the
    /// first candidate found on <paramref name="searchPath"/>; null when there is none.
    /// </summary>
    public static string? Find(string? requested, string? searchPath)
    {
        if (!string.IsNullOrEmpty(requested) && requested.Contains('/'))
            return File.Exists(requested) ? requested : null;
        var dirs = (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in string.IsNullOrEmpty(requested) ? CandidateNames() : [requested])
        {
            foreach (var dir in dirs)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }
}
