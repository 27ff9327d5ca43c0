using System.CommandLine;
using System.Text.Json;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Records;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp map list|show|dump|lookup|update|delete|pin</c>: the system's maps and their elements.</summary>
internal static class MapCommand
{
    public static Command Create()
    {
        var command = new Command("map", "BPF maps: list, show, dump, lookup, update, delete, pin, create, freeze, peek, push, pop, enqueue, dequeue");
        command.Subcommands.Add(ObjectVerbs.List(Kind));
        command.Subcommands.Add(ObjectVerbs.Show(Kind));
        command.Subcommands.Add(Dump());
        command.Subcommands.Add(Lookup());
        command.Subcommands.Add(Update());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(ObjectVerbs.Pin(Kind, "Pin a map in bpffs, keeping it after every fd is closed"));
        command.Subcommands.Add(MapCreateCommand.Create());
        foreach (var verb in MapQueueCommands.Create()) command.Subcommands.Add(verb);
        return command;
    }

    internal static readonly ObjectKind<BpfMap, MapRecord> Kind = new(
        "map", "MAP", BpfMap.EnumerateIds, BpfMap.FromId, Targets.Map, Targets.Maps, MapRecord.Of, m => m.Dispose(),
        (m, path) => m.Pin(path), m => $"pinned map {m.Id} ({m.Name}) at {m.PinPath}",
        CliJson.Default.MapRecord, CliJson.Default.ListMapRecord);

    private static Argument<string> MapArgument() => new("MAP") { Description = Targets.Help };

    private static Option<string[]> BytesOption(string name, string what) => new(name)
    {
        HelpName = what.ToUpperInvariant(),
        Description = $"The {what}: an integer, a hex string, or hex bytes",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    private static Command Dump()
    {
        var json = Cli.JsonOption();
        var target = MapArgument();
        var command = new Command("dump", "Print every element, decoded through the map's BTF (hex without it)") { target, json };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            var info = map.GetInfo();
            if (info.Type is BpfMapType.RingBuf or BpfMapType.UserRingBuf or BpfMapType.Queue or BpfMapType.Stack or BpfMapType.BloomFilter)
                throw new CliError($"map {info.Id} ({info.Name}) is a {KernelNames.Of(info.Type)}: it has no keys to dump");
            var formatter = new MapEntryFormatter(map, info);
            bool progress = !Console.IsErrorRedirected && info.MaxEntries > 100_000;
            int count = 0;
            if (Cli.Json(r, json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartArray();
                    foreach (var (k, v) in MapEntryFormatter.ReadEntries(map))
                    {
                        formatter.WriteEntry(w, k, v);
                        ShowProgress(progress, ++count);
                    }
                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (var (k, v) in MapEntryFormatter.ReadEntries(map))
                {
                    Console.WriteLine(formatter.EntryText(k, v));
                    ShowProgress(progress, ++count);
                }
                if (progress) Console.Error.Write("\r\x1b[K");
                Console.WriteLine($"({count} {(count == 1 ? "element" : "elements")})");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Large dumps say how far they are on a terminal; pipes stay quiet.</summary>
    private static void ShowProgress(bool enabled, int count)
    {
        if (enabled && count % 10_000 == 0) Console.Error.Write($"\r{count} elements...");
    }

    private static Command Lookup()
    {
        var target = MapArgument();
        var key = BytesOption("--key", "key");
        var json = Cli.JsonOption();
        var command = new Command("lookup", "Look one key up") { target, key, json };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            var info = map.GetInfo();
            var k = MapInput.Key(info, r.GetValue(key)!);
            var value = new byte[map.ValueBufferSize];
            if (!map.TryLookup(k, value)) throw new CliError($"map {info.Id} ({info.Name}) has no element with key {Convert.ToHexStringLower(k)}");
            var formatter = new MapEntryFormatter(map, info);
            if (Cli.Json(r, json)) JsonOutput.Write(w => formatter.WriteEntry(w, k, value));
            else Console.WriteLine(formatter.EntryText(k, value));
            return 0;
        });
        return command;
    }

    private static Command Update()
    {
        var target = MapArgument();
        var key = BytesOption("--key", "key");
        var value = BytesOption("--value", "value");
        var flags = new Option<string>("--flags") { Description = "any (default), noexist (create only) or exist (replace only)", DefaultValueFactory = _ => "any" };
        flags.AcceptOnlyFromAmong("any", "noexist", "exist");
        var command = new Command("update", "Create or replace one element (a per-CPU map gets the value on every CPU)") { target, key, value, flags };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            var info = map.GetInfo();
            var k = MapInput.Key(info, r.GetValue(key)!);
            var v = MapInput.ValueForEachCpu(map, info, r.GetValue(value)!);
            var f = r.GetValue(flags) switch { "noexist" => BpfMapUpdateFlags.NoExist, "exist" => BpfMapUpdateFlags.Exist, _ => BpfMapUpdateFlags.Any };
            map.Update(k, v, f);
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var target = MapArgument();
        var key = BytesOption("--key", "key");
        var command = new Command("delete", "Delete one element") { target, key };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            var info = map.GetInfo();
            var k = MapInput.Key(info, r.GetValue(key)!);
            if (!map.Delete(k)) throw new CliError($"map {info.Id} ({info.Name}) has no element with key {Convert.ToHexStringLower(k)}");
            return 0;
        });
        return command;
    }
}
