using System.CommandLine;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Records;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp cgroup show CGROUP [--effective]</c> and <c>cgroup tree [ROOT]</c>: programs attached to cgroups (v2).</summary>
internal static class CgroupCommand
{
    public static Command Create()
    {
        var command = new Command("cgroup", "Programs attached to cgroups (v2): show one cgroup's, or a tree's");
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Tree());
        command.Subcommands.Add(CgroupAttachCommand.Attach());
        command.Subcommands.Add(CgroupAttachCommand.Detach());
        return command;
    }

    private static Command Show()
    {
        var path = new Argument<string>("CGROUP") { Description = "A cgroup v2 directory" };
        var effective = new Option<bool>("--effective") { Description = "Every program that runs for the cgroup, inherited ones included (bpftool's 'effective')" };
        var json = Cli.JsonOption();
        var command = new Command("show", "List the programs attached to a cgroup, per attach type") { path, effective, json };
        command.SetGuardedAction(r =>
        {
            string cgroup = r.GetValue(path)!;
            if (!Directory.Exists(cgroup)) throw new CliError($"{cgroup}: no such cgroup directory");
            var programs = Programs(cgroup, r.GetValue(effective));
            if (Cli.Json(r, json)) JsonOutput.Write(programs, CliJson.Default.ListCgroupProgramRecord);
            else Print(programs, Console.Out);
            return 0;
        });
        return command;
    }

    private static Command Tree()
    {
        var root = new Argument<string?>("ROOT") { Description = "Where to start (default: the cgroup v2 mount)", Arity = ArgumentArity.ZeroOrOne };
        var json = Cli.JsonOption();
        var command = new Command("tree", "Every cgroup under ROOT with programs attached, and its programs") { root, json };
        command.SetGuardedAction(r =>
        {
            string top = r.GetValue(root) ?? Cgroup2Mount() ?? throw new CliError("no cgroup v2 mount: give ROOT");
            if (!Directory.Exists(top)) throw new CliError($"{top}: no such cgroup directory");
            var found = new List<CgroupTreeRecord>();
            foreach (var dir in Walk(top))
            {
                var programs = Programs(dir, effective: false);
                if (programs.Count > 0) found.Add(new CgroupTreeRecord(dir, programs));
            }
            if (Cli.Json(r, json))
            {
                JsonOutput.Write(found, CliJson.Default.ListCgroupTreeRecord);
                return 0;
            }
            foreach (var c in found)
            {
                Console.WriteLine(c.Cgroup);
                var text = new StringWriter();
                Print(c.Programs, text);
                foreach (var line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) Console.WriteLine("    " + line);
            }
            return 0;
        });
        return command;
    }

    private static List<CgroupProgramRecord> Programs(string cgroup, bool effective)
    {
        var records = new List<CgroupProgramRecord>();
        foreach (var type in CgroupProgramRecord.CgroupAttachTypes)
        {
            AttachedProgramList list;
            try { list = AttachedPrograms.Cgroup(cgroup, type, effective); }
            catch (BpfException e) when (e.ErrnoName is "EINVAL" or "EOPNOTSUPP" or "ENOTSUPP") { continue; } // a hook this kernel lacks
            foreach (var p in list.Programs)
            {
                try
                {
                    using var prog = BpfProgram.FromId(p.ProgramId);
                    records.Add(CgroupProgramRecord.Of(prog, type, effective ? 0 : list.AttachFlags));
                }
                catch (BpfException e) when (e.ErrnoName == "ENOENT") { /* detached since */ }
            }
        }
        return records;
    }

    private static void Print(List<CgroupProgramRecord> programs, TextWriter output)
    {
        var table = CgroupProgramRecord.NewTable();
        foreach (var p in programs) p.AddRow(table);
        table.Write(output);
    }

    private static IEnumerable<string> Walk(string dir)
    {
        yield return dir;
        string[] children;
        try { children = Directory.GetDirectories(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        foreach (var child in children.Order(StringComparer.Ordinal))
            foreach (var d in Walk(child)) yield return d;
    }

    private static string? Cgroup2Mount()
    {
        foreach (var line in File.ReadLines("/proc/self/mounts"))
        {
            var f = line.Split(' ');
            if (f.Length > 2 && f[2] == "cgroup2") return f[1];
        }
        return null;
    }
}
