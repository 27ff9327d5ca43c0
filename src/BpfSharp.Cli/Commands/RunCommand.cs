using System.CommandLine;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Run;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp run OBJECT</c>: open, load and attach an object, print every ring buffer and perf buffer record
/// decoded through its BTF, show its other maps on exit (and every <c>--interval</c>), detach on Ctrl+C, or
/// with <c>--pin DIR --keep</c> leave everything attached and pinned for <c>bpfsharp unload DIR</c>.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("OBJECT") { Description = "A BPF object compiled by clang (-target bpf -g)" };
        var programs = new Option<string[]>("--program", "-p") { Description = "Load and attach only these programs (repeatable)", HelpName = "NAME" };
        var noPrograms = new Option<string[]>("--no-program") { Description = "Do not load these programs (repeatable)", HelpName = "NAME" };
        var hist = new Option<string[]>("--hist") { Description = "Draw this map (or global array, funclatency's hist) as log2 histograms, as the tools do (repeatable; UNIT labels the slots, e.g. runqlat's hists=usecs)", HelpName = "MAP[=UNIT]" };
        var set = new Option<string[]>("--set") { Description = "Set a global variable (.rodata configuration) before load: an integer, bool or enumerator (repeatable)", HelpName = "VAR=VALUE" };
        var mapSize = new Option<string[]>("--map-size") { Description = "Set a map's max entries before load (repeatable)", HelpName = "NAME=N" };
        var mapEntry = new Option<string[]>("--map-entry") { Description = "Write a map element after load, before attach, as the tool's user space would (ksnoop's ksnoop_func_map); KEY and VALUE as for 'map update' (repeatable)", HelpName = "NAME:KEY=VALUE" };
        var stackKeys = new Option<string[]>("--stack-keys") { Description = "The keys of MAP are ids in the object's stack trace map: show each entry's stack, symbolised (klockstat's stat_map; keys with a *stack_id member are found without it; repeatable)", HelpName = "MAP" };
        var binary = new Option<string?>("--binary") { HelpName = "PATH", Description = "The binary of uprobe sections that name only a function (bashreadline's uretprobe/readline: --binary /bin/bash)" };
        var attach = new Option<string[]>("--attach") { HelpName = "PROGRAM=WHERE", Description = "Attach a program where its section does not say: usdt:[BINARY]:PROVIDER:NAME, uprobe:BINARY:FUNCTION[+OFF], uretprobe:BINARY:FUNCTION, kprobe:FUNCTION[+OFF], kretprobe:FUNCTION, fentry:FUNCTION, fexit:FUNCTION, perf:EVENT:HZ (a software event, e.g. cpu-clock, sampled HZ times a second on each CPU) (javagc, gethostlatency, fsdist, ksnoop, runqlen; repeatable)" };
        var pid = new Option<int?>("--pid") { HelpName = "PID", Description = "Uprobes and USDT probes of --attach trace only this process" };
        var pin = new Option<string?>("--pin") { HelpName = "DIR", Description = "Pin links under DIR/links, maps under DIR/maps, unattached programs under DIR/progs (a bpffs directory)" };
        var keep = new Option<bool>("--keep") { Description = "On exit leave the programs attached and pinned (needs --pin); undo with 'bpfsharp unload DIR'" };
        var eventType = new Option<string?>("--event-type") { HelpName = "STRUCT", Description = "The struct of the event records, from the object's BTF or --types (found in the object's own types otherwise)" };
        var types = new Option<string?>("--types") { HelpName = "FILE.h|DECLS", Description = "C declarations of the record layout (a header, or the text itself: 'struct event { int pid; char comm[16]; };'), compiled to BTF with clang" };
        var duration = new Option<string?>("--duration", "-d") { HelpName = "T", Description = "Stop after this long (10, 10s, 500ms, 2m)" };
        var interval = new Option<string?>("--interval", "-i") { HelpName = "T", Description = "Also show the object's other maps this often (they are always shown on exit)" };
        var iface = new Option<string?>("--interface", "-I") { HelpName = "IF", Description = "Attach XDP programs (XDP link) and tc/tcx programs (tcx link) to this network interface" };
        var json = Cli.JsonOption();
        json.Description = "Print one JSON object per line";
        var command = new Command("run", "Load and attach a BPF object, print its events until Ctrl+C")
        {
            file, programs, noPrograms, binary, attach, pid, set, mapSize, mapEntry, hist, stackKeys, pin, keep, eventType, types, duration, interval, iface, json,
        };
        command.SetGuardedAction(r =>
        {
            var options = new RunOptions(
                r.GetValue(file)!,
                r.GetValue(programs) ?? [],
                r.GetValue(pin),
                r.GetValue(keep),
                r.GetValue(eventType),
                ParseDuration(r.GetValue(duration), "--duration"),
                ParseDuration(r.GetValue(interval), "--interval"),
                Cli.Json(r, json),
                r.GetValue(iface),
                r.GetValue(types),
                Histograms(r.GetValue(hist) ?? []),
                r.GetValue(set),
                r.GetValue(mapSize),
                r.GetValue(noPrograms),
                r.GetValue(binary),
                r.GetValue(attach),
                r.GetValue(pid) ?? -1,
                r.GetValue(mapEntry),
                r.GetValue(stackKeys));
            return new ObjectRunner(options).Run();
        });
        return command;
    }

    private static Dictionary<string, string> Histograms(string[] values) =>
        values.Select(v => v.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "value");

    private static TimeSpan? ParseDuration(string? text, string option)
    {
        if (text is null) return null;
        if (!Units.TryParseDuration(text, out var t)) throw new CliError($"{option} {text}: not a duration (10, 10s, 500ms, 2m)");
        return t;
    }
}
