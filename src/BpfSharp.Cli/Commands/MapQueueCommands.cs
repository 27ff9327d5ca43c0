using System.CommandLine;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// bpftool's verbs for maps without keys and for freezing: <c>map peek|pop|dequeue MAP</c>, <c>map push|enqueue MAP
/// --value V</c> (queues and stacks; push also adds to a bloom filter) and <c>map freeze MAP</c>.
/// </summary>
internal static class MapQueueCommands
{
    public static IEnumerable<Command> Create() =>
    [
        Take("peek", "Print the value a queue or stack would give next, leaving it there", remove: false),
        Take("pop", "Remove and print the next value of a stack or queue", remove: true),
        Take("dequeue", "Remove and print the next value of a queue (pop, by bpftool's other name)", remove: true),
        Put("push", "Push a value onto a stack or queue, or add it to a bloom filter"),
        Put("enqueue", "Add a value to a queue (push, by bpftool's other name)"),
        Freeze(),
    ];

    private static Command Take(string name, string description, bool remove)
    {
        var target = new Argument<string>("MAP") { Description = Targets.Help };
        var json = Cli.JsonOption();
        var command = new Command(name, description) { target, json };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            var info = map.GetInfo();
            RequireKeyless(info, name);
            var value = new byte[map.ValueBufferSize];
            bool found = remove ? map.TryLookupAndDelete([], value) : map.TryLookup([], value);
            if (!found) throw new CliError($"map {info.Id} ({info.Name}) is empty");
            var formatter = new MapEntryFormatter(map, info);
            if (Cli.Json(r, json)) JsonOutput.Write(w => formatter.WriteEntry(w, [], value));
            else Console.WriteLine($"value: {formatter.EntryText([], value)}");
            return 0;
        });
        return command;
    }

    private static Command Put(string name, string description)
    {
        var target = new Argument<string>("MAP") { Description = Targets.Help };
        var value = new Option<string[]>("--value")
        {
            HelpName = "VALUE", Description = "The value: an integer, a hex string, or hex bytes", Required = true,
            AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command(name, description) { target, value };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            var info = map.GetInfo();
            RequireKeyless(info, name);
            map.Update([], MapInput.Value(info, r.GetValue(value)!));
            return 0;
        });
        return command;
    }

    private static Command Freeze()
    {
        var target = new Argument<string>("MAP") { Description = Targets.Help };
        var command = new Command("freeze", "Freeze a map: user space can no longer change it (programs still can)") { target };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            map.Freeze();
            return 0;
        });
        return command;
    }

    private static void RequireKeyless(BpfMapInfo info, string verb)
    {
        if (info.KeySize != 0)
            throw new CliError($"map {verb}: map {info.Id} ({info.Name}) is a {KernelNames.Of(info.Type)} with {info.KeySize}-byte keys: use lookup, update or delete with --key");
    }
}
