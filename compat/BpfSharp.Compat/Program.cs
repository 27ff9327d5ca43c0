// The BpfSharp side of the compatibility harness: what compat/loader.c does through libbpf, line for line.
// For every object named on stdin (one a line: its path, then optionally tab-separated names of programs to skip,
// "*" for the whole-object attempt; the driver resumes after a crash that way): each program alone (autoload off for the others), load,
// attach by section name, detach; then the whole object with its default autoload, load, attach every loaded
// program, detach. Output (one tab-separated line per attempt, flushed):
//   B <object> <program|*>                       before an attempt, so the driver can name one that crashed or hung
//   R <object> <program|*> <section> <load> <attach> <load error> <attach error>
// load and attach are "ok", an errno name, or for an exception without one its kind: "noauto" (the section
// does not say where to attach: libbpf's EOPNOTSUPP), "NotSupported", "FileNotFound", "Argument",
// "BpfException"/"BpfFormatException", and "CRASH:<type>" for any exception the library should never let out
// (NullReferenceException...).
using BpfSharp;

var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
string? line;
while ((line = Console.In.ReadLine()) is not null)
{
    string[] fields = line.Split('\t');
    string path = fields[0];
    var skip = fields[1..].ToHashSet();
    if (path.Length == 0) continue;
    List<string> names;
    try
    {
        using var obj = BpfObject.Open(path);
        names = [.. obj.Programs.Keys];
    }
    catch (Exception e)
    {
        Result(path, "*", "-", "open:" + Kind(e, attach: false), "-", Text(e), "");
        continue;
    }
    foreach (string name in names.Where(n => !skip.Contains(n))) OneProgram(path, name);
    if (!skip.Contains("*")) WholeObject(path);
}
return 0;

void OneProgram(string path, string name)
{
    Begin(path, name);
    BpfObject obj;
    try { obj = BpfObject.Open(path); }
    catch (Exception e) { Result(path, name, "-", "open:" + Kind(e, attach: false), "-", Text(e), ""); return; }
    using (obj)
    {
        foreach (var p in obj.Programs.Values) p.Autoload = p.Name == name;
        var prog = obj.Programs[name];
        try { obj.Load(); }
        catch (Exception e) { Result(path, name, prog.SectionName, Kind(e, attach: false), "-", Text(e), ""); return; }
        try
        {
            using (prog.Attach()) { }
            Result(path, name, prog.SectionName, "ok", "ok", "", "");
        }
        catch (Exception e) { Result(path, name, prog.SectionName, "ok", Kind(e, attach: true), "", Text(e)); }
    }
}

void WholeObject(string path)
{
    Begin(path, "*");
    BpfObject obj;
    try { obj = BpfObject.Open(path); }
    catch (Exception e) { Result(path, "*", "-", "open:" + Kind(e, attach: false), "-", Text(e), ""); return; }
    using (obj)
    {
        try { obj.Load(); }
        catch (Exception e) { Result(path, "*", "-", Kind(e, attach: false), "-", Text(e), ""); return; }
        var links = new List<IDisposable>();
        int loaded = 0;
        string firstError = "";
        foreach (var prog in obj.Programs.Values)
        {
            if (prog.Program is null) continue;
            loaded++;
            try { links.Add(prog.Attach()); }
            catch (Exception e) when (firstError.Length == 0) { firstError = $"{prog.Name}: {Kind(e, attach: true)}"; }
            catch (Exception) { }
        }
        foreach (var link in links) link.Dispose();
        Result(path, "*", "-", "ok", $"{links.Count}/{loaded}", "", firstError);
    }
}

void Begin(string path, string program) => stdout.WriteLine($"B\t{path}\t{program}");

void Result(string path, string program, string section, string load, string attach, string loadError, string attachError) =>
    stdout.WriteLine($"R\t{path}\t{program}\t{section}\t{load}\t{attach}\t{loadError}\t{attachError}");

static string Kind(Exception e, bool attach) => e switch
{
    BpfException { Errno: not 0 } b => b.ErrnoName,
    BpfException b => b.GetType().Name,
    NotSupportedException => "NotSupported",
    InvalidOperationException when attach => "noauto",
    // The .NET exceptions that fit a failure exactly are part of the contract too (a missing uprobe binary).
    FileNotFoundException or DirectoryNotFoundException => "FileNotFound",
    UnauthorizedAccessException => "UnauthorizedAccess",
    ArgumentException => "Argument",
    _ => "CRASH:" + e.GetType().Name,
};

// The first line of the message, on one line of the report.
static string Text(Exception e)
{
    string first = e.Message.Split('\n', 2)[0].Replace('\t', ' ');
    return first.Length > 240 ? first[..240] : first;
}
