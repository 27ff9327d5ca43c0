using System.CommandLine;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>map create PATH --type TYPE --key N --value N --entries N --name NAME [--flags N] [--inner-map MAP]</c>:
/// creates a map and pins it at PATH (bpftool's <c>map create</c>; the map lives as long as the pin).
/// </summary>
internal static class MapCreateCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Where to pin the new map in bpffs" };
        var type = new Option<string>("--type") { HelpName = "TYPE", Description = "The map type, as bpftool names it (hash, array, queue, ringbuf...)", Required = true };
        var key = new Option<int>("--key") { HelpName = "BYTES", Description = "Key size (0 for queues, stacks and ring buffers)", DefaultValueFactory = _ => 0 };
        var value = new Option<int>("--value") { HelpName = "BYTES", Description = "Value size", DefaultValueFactory = _ => 0 };
        var entries = new Option<int>("--entries") { HelpName = "N", Description = "Maximum number of entries (bytes for a ring buffer)", Required = true };
        var name = new Option<string?>("--name") { HelpName = "NAME", Description = "The map's name (15 characters at most)" };
        var flags = new Option<string?>("--flags") { HelpName = "FLAGS", Description = "BPF_F_* flags as a number (decimal or 0x-hex)" };
        var inner = new Option<string?>("--inner-map") { HelpName = "MAP", Description = "For maps of maps: a map (id or pin) of the inner maps' shape" };
        var command = new Command("create", "Create a map and pin it (bpftool's map create)") { path, type, key, value, entries, name, flags, inner };
        command.SetGuardedAction(r =>
        {
            string where = r.GetValue(path)!;
            if (!BpfFsPaths.IsOnBpfFs(where)) throw new CliError($"{where}: not in bpffs (pins live on a bpf filesystem such as /sys/fs/bpf)");
            string typeName = r.GetValue(type)!;
            var mapType = Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspec).FirstOrDefault(t => KernelNames.Of(t) == typeName);
            if (mapType == BpfMapType.Unspec)
                throw new CliError($"--type {typeName}: no such map type (one of {string.Join(", ", Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspec).Select(KernelNames.Of))})");
            ulong flagBits = 0;
            if (r.GetValue(flags) is { } f && !ByteParser.TryInteger(f, out flagBits)) throw new CliError($"--flags {f}: not a number");
            using var innerMap = r.GetValue(inner) is { } i ? Targets.Map(i) : null;
            using var map = BpfMap.Create(mapType, r.GetValue(key), r.GetValue(value), r.GetValue(entries), new BpfMapCreateOptions
            {
                Name = r.GetValue(name),
                Flags = (BpfMapFlags)flagBits,
                InnerMap = innerMap,
            });
            map.Pin(where);
            return 0;
        });
        return command;
    }
}
