using System.Text.RegularExpressions;

namespace BpfSharp.Build;

/// <summary>One line of clang's diagnostic output: <c>file:line:col: error: message</c>.</summary>
internal sealed partial record ClangDiagnostic(string File, int Line, int Column, string Severity, string Message)
{
    public bool IsError => Severity is "error" or "fatal error";

    public bool IsWarning => Severity == "warning";

    /// <summary>
    /// clang's default diagnostic format. Notes ("note:") are returned too: they carry the include chain and the
    /// macro expansion an error came through.
    /// </summary>
    [GeneratedRegex(@"^(?<file>.+?):(?<line>\d+):(?<col>\d+): (?<sev>fatal error|error|warning|note): (?<msg>.*)$")]
    private static partial Regex Pattern();

    public static ClangDiagnostic? TryParse(string line)
    {
        var m = Pattern().Match(line);
        if (!m.Success)
            return null;
        return new ClangDiagnostic(m.Groups["file"].Value, int.Parse(m.Groups["line"].Value), int.Parse(m.Groups["col"].Value),
            m.Groups["sev"].Value, m.Groups["msg"].Value);
    }
}
