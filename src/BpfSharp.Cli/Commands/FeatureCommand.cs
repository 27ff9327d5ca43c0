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
            var groups = new List<(string Group, string Name, BpfFeature Feature)>();
            foreach (var t in Enum.GetValues<BpfProgramType>().Where(t => t != BpfProgramType.Unspec))
                groups.Add(("program_types", KernelNames.Of(t), BpfFeatures.ProgramType(t)));
            foreach (var t in Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspec))
                groups.Add(("map_types", KernelNames.Of(t), BpfFeatures.MapType(t)));
            groups.Add(("attach", "bpf_links", BpfFeatures.BpfLinks));
            groups.Add(("attach", "perf_links", BpfProgram.PerfLinks));
            groups.Add(("attach", "kprobe_multi", BpfProgram.KprobeMulti));
            groups.Add(("attach", "kprobe_session", BpfProgram.KprobeSession));
            groups.Add(("attach", "uprobe_session", BpfProgram.UprobeSession));
            groups.Add(("attach", "fentry", BpfFeatures.Fentry));
            groups.Add(("attach", "lsm", BpfFeatures.Lsm));
            groups.Add(("programs", "streams", BpfProgram.Streams));
            groups.Add(("programs", "stream_printing", BpfProgram.StreamPrinting));
            groups.Add(("programs", "bpf_token", BpfToken.Tokens));
            groups.Add(("tracing", "tracefs", TracingFeatures.TraceFs));
            groups.Add(("tracing", "kprobe_pmu", TracingFeatures.KprobePmu));
            groups.Add(("tracing", "uprobe_pmu", TracingFeatures.UprobePmu));
            groups.Add(("tracing", "kprobe_events", TracingFeatures.KprobeEvents));
            groups.Add(("tracing", "uprobe_events", TracingFeatures.UprobeEvents));

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
