namespace BpfSharp.Cli.Run;

/// <summary>
/// <c>--map-entry NAME:KEY=VALUE</c>: an element a tool's user space writes once the object is loaded and before
/// its programs are attached (ksnoop's <c>ksnoop_func_map</c>, keyed by the traced function's address, holds what
/// to record of it). KEY and VALUE are typed as for <c>map update</c>: an integer, hex digits or hex bytes, or an
/// enumerator's name where the map's BTF gives the key or value an enum type.
/// </summary>
internal static class MapEntries
{
    public static void Apply(BpfObject obj, IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            int colon = entry.IndexOf(':');
            int equals = colon < 0 ? -1 : entry.IndexOf('=', colon);
            if (colon <= 0 || equals < 0)
                throw new CliError($"--map-entry {entry}: expected NAME:KEY=VALUE");
            string name = entry[..colon];
            if (!obj.Maps.TryGetValue(name, out var m) || m.Map is not { } map)
                throw new CliError($"--map-entry {name}: {obj.Name} has no map {name} (it has {string.Join(", ", obj.Maps.Keys)})");
            var info = map.GetInfo();
            var key = MapInput.Key(info, Tokens(entry[(colon + 1)..equals]));
            var value = MapInput.ValueForEachCpu(map, info, Tokens(entry[(equals + 1)..]));
            try { map.Update(key, value, BpfMapUpdateFlags.Any); }
            catch (BpfException e) { throw new CliError($"--map-entry {name}: {e.Message}"); }
        }
    }

    private static string[] Tokens(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
