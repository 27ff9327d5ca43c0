using System.CommandLine;
using System.Text.Json;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp map list|show|dump|lookup|update|delete|pin</c>: the system's maps and their elements.</summary>
internal static class MapCommand
{
    public static Command Create()
    {
        var command = new Command("map", "BPF maps: list, show, dump, lookup, update, delete, pin");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Dump());
        command.Subcommands.Add(Lookup());
        command.Subcommands.Add(Update());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Pin());
        return command;
    }

    private static Argument<string> MapArgument() => new("MAP") { Description = Targets.Help };

    private static Option<string[]> BytesOption(string name, string what) => new(name)
    {
        HelpName = what.ToUpperInvariant(),
        Description = $"The {what}: an integer, a hex string, or hex bytes",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    private static Command List()
    {
        var json = Cli.JsonOption();
        var command = new Command("list", "List every map") { json };
        command.SetGuardedAction(r =>
        {
            var infos = Targets.OpenAll(BpfMap.EnumerateIds(), id =>
            {
                using var m = BpfMap.FromId(id);
                return m.GetInfo();
            }).ToList();
            if (r.GetValue(json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartArray();
                    foreach (var i in infos) WriteJson(w, i);
                    w.WriteEndArray();
                });
                return 0;
            }
            var table = new TextTable("ID", "TYPE", "NAME", "KEY", "VALUE", "ENTRIES", "FLAGS").RightAlign("ID", "KEY", "VALUE", "ENTRIES");
            foreach (var i in infos)
                table.Add(i.Id, KernelNames.Of(i.Type), i.Name, Units.Bytes(i.KeySize), Units.Bytes(i.ValueSize), i.MaxEntries, i.Flags == 0 ? "" : i.Flags.ToString());
            table.Write(Console.Out);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var json = Cli.JsonOption();
        var target = MapArgument();
        var command = new Command("show", "Show one map") { target, json };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            var i = map.GetInfo();
            if (r.GetValue(json))
            {
                JsonOutput.Write(w => WriteJson(w, i));
                return 0;
            }
            var rows = new List<(string, string)>
            {
                ("id", i.Id.ToString()),
                ("type", KernelNames.Of(i.Type)),
                ("name", i.Name),
                ("key", Units.Bytes(i.KeySize)),
                ("value", Units.Bytes(i.ValueSize)),
                ("max entries", i.MaxEntries.ToString()),
                ("flags", i.Flags == 0 ? "-" : $"{i.Flags} (0x{(uint)i.Flags:x})"),
                ("btf id", i.BtfId == 0 ? "-" : $"{i.BtfId} (key type {i.BtfKeyTypeId}, value type {i.BtfValueTypeId})"),
            };
            if (i.MapExtra != 0) rows.Add(("map extra", i.MapExtra.ToString()));
            if (map.PinPath is not null) rows.Add(("pinned", map.PinPath));
            Details.Write(rows);
            return 0;
        });
        return command;
    }

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
            if (r.GetValue(json))
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
            var k = ByteParser.Parse(r.GetValue(key)!, info.KeySize, "key");
            var value = new byte[map.ValueBufferSize];
            if (!map.TryLookup(k, value)) throw new CliError($"map {info.Id} ({info.Name}) has no element with key {Convert.ToHexStringLower(k)}");
            var formatter = new MapEntryFormatter(map, info);
            if (r.GetValue(json)) JsonOutput.Write(w => formatter.WriteEntry(w, k, value));
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
            var k = ByteParser.Parse(r.GetValue(key)!, info.KeySize, "key");
            var v = ByteParser.Parse(r.GetValue(value)!, info.ValueSize, "value");
            if (map.IsPerCpu)
            {
                // One value per possible CPU, each in an 8-byte aligned slot.
                var all = new byte[map.ValueBufferSize];
                int stride = (info.ValueSize + 7) & ~7;
                for (int off = 0; off + v.Length <= all.Length; off += stride) v.CopyTo(all, off);
                v = all;
            }
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
            var k = ByteParser.Parse(r.GetValue(key)!, info.KeySize, "key");
            if (!map.Delete(k)) throw new CliError($"map {info.Id} ({info.Name}) has no element with key {Convert.ToHexStringLower(k)}");
            return 0;
        });
        return command;
    }

    private static Command Pin()
    {
        var target = MapArgument();
        var path = new Argument<string>("PATH") { Description = "Where to pin it in bpffs" };
        var command = new Command("pin", "Pin a map in bpffs, keeping it after every fd is closed") { target, path };
        command.SetGuardedAction(r =>
        {
            using var map = Targets.Map(r.GetValue(target)!);
            map.Pin(r.GetValue(path)!);
            Console.WriteLine($"pinned map {map.Id} ({map.Name}) at {map.PinPath}");
            return 0;
        });
        return command;
    }

    /// <summary>bpftool's field names, so the two outputs compare directly.</summary>
    internal static void WriteJson(Utf8JsonWriter w, BpfMapInfo i)
    {
        w.WriteStartObject();
        w.WriteNumber("id", i.Id);
        w.WriteString("type", KernelNames.Of(i.Type));
        w.WriteString("name", i.Name);
        w.WriteNumber("flags", (uint)i.Flags);
        w.WriteNumber("bytes_key", i.KeySize);
        w.WriteNumber("bytes_value", i.ValueSize);
        w.WriteNumber("max_entries", i.MaxEntries);
        if (i.BtfId != 0) w.WriteNumber("btf_id", i.BtfId);
        if (i.MapExtra != 0) w.WriteNumber("map_extra", i.MapExtra);
        w.WriteEndObject();
    }
}
