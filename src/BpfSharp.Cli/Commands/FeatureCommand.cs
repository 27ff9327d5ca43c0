using System.CommandLine;
using BpfSharp.Cli.Output;
using BpfSharp.Tracing;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp feature</c>: what the running kernel supports, from the library's probes.</summary>
internal static class FeatureCommand
{
    public static Command Create()
    {
        var json = Cli.JsonOption();
        var command = new Command("feature", "Which program types, map types, attach kinds and link features the running kernel supports") { json };
        command.SetGuardedAction(r =>
        {
            var groups = BpfFeatures.All.Select(e => (e.Group, Name: e.Key, e.Feature)).ToList();

            if (Cli.Json(r, json))
            {
                // bpftool's keys where it probes the same thing (have_xdp_prog_type, have_ringbuf_map_type); why a
                // feature is missing is an extra field beside it (have_lsm_prog_type_reason).
                JsonOutput.Write(w =>
                {
                    w.WriteStartObject();
                    foreach (var group in groups.GroupBy(g => g.Group))
                    {
                        w.WriteStartObject(group.Key);
                        foreach (var (_, name, feature) in group)
                        {
                            string key = JsonKey(group.Key, name);
                            w.WriteBoolean(key, feature.IsSupported);
                            if (!feature.IsSupported && feature.MissingReason is { } reason) w.WriteString(key + "_reason", reason);
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                });
                return 0;
            }
            foreach (var group in groups.GroupBy(g => g.Group))
            {
                Console.WriteLine(group.Key.Replace('_', ' ') + ":");
                var table = new TextTable("  FEATURE", "SUPPORTED", "WHY NOT");
                foreach (var (_, name, feature) in group)
                    table.Add("  " + name, feature.IsSupported ? "yes" : "no", feature.MissingReason ?? "");
                table.Write(Console.Out);
                Console.WriteLine();
            }
            return 0;
        });
        return command;
    }

    /// <summary>bpftool's key for a program or map type (<c>bpftool -j feature probe</c>); the other groups keep their names.</summary>
    internal static string JsonKey(string group, string name) => group switch
    {
        "program_types" => $"have_{name}_prog_type",
        "map_types" => $"have_{name}_map_type",
        _ => name,
    };
}
