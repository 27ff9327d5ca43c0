namespace BpfSharp.Elf;

/// <summary>Shell-style wildcard matching for symbol names: <c>*</c> matches any run of characters, <c>?</c> one.</summary>
internal static class Glob
{
    public static bool IsMatch(string pattern, string text)
    {
        // Greedy scan that remembers the last '*': on a mismatch, let that star absorb one more character.
        // Runs in O(pattern * text) at worst, without recursion.
        int p = 0, t = 0;
        int starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }
}
