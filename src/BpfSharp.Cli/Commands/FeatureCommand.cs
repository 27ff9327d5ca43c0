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

            if (r.GetValue(json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartObject();
                    foreach (var group in groups.GroupBy(g => g.Group))
                    {
                        w.WriteStartObject(group.Key);
                        foreach (var (_, name, feature) in group) w.WriteBoolean(name, feature.IsSupported);
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
}
