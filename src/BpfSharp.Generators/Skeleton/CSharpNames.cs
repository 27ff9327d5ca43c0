using System.Collections.Generic;
using System.Text;

namespace BpfSharp.Generators.Skeleton;

/// <summary>How C names become C# names: types and properties in PascalCase, struct members as written in C.</summary>
internal static class CSharpNames
{
    private static readonly HashSet<string> s_keywords = new HashSet<string>
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary><c>handle_exec</c> → <c>HandleExec</c>; a leading digit gets an underscore.</summary>
    public static string Pascal(string name)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (!IsIdentifierChar(c)) { upper = true; continue; }
            if (c == '_') { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (sb.Length == 0) sb.Append('_');
        if (char.IsDigit(sb[0])) sb.Insert(0, '_');
        return sb.ToString();
    }

    /// <summary>A C identifier as a C# one: keywords get <c>@</c>.</summary>
    public static string Member(string name) => s_keywords.Contains(name) ? "@" + name : name;

    public static bool IsValidIdentifier(string name)
    {
        if (string.IsNullOrEmpty(name) || s_keywords.Contains(name) || char.IsDigit(name[0])) return false;
        foreach (char c in name)
            if (!IsIdentifierChar(c)) return false;
        return true;
    }

    private static bool IsIdentifierChar(char c) => c == '_' || c < 128 && char.IsLetterOrDigit(c);

    /// <summary>A name not yet in <paramref name="taken"/>, by appending 2, 3...; records it.</summary>
    public static string Unique(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int i = 2; !taken.Add(candidate); i++) candidate = name + i;
        return candidate;
    }
}
