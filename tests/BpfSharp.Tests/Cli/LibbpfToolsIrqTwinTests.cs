using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The interrupt twins: hardirqs (counts with -C, time distributions with -d) and softirqs (-d), per interrupt
/// name. They count the whole machine's interrupts, so two observers attached and detached a moment apart differ
/// by the interrupts of those moments: the kernel's own counters (/proc/interrupts, /proc/softirqs), read before
/// either attached, once both were, before they were stopped and after, measure exactly that difference, and bound
/// each side's count from below (what happened while both were attached) and above (everything).
/// </summary>
public sealed partial class LibbpfToolsTwinTests
{
    [GeneratedRegex(@"^(?:hardirq|softirq) = (.+)$")]
    private static partial Regex IrqHeader();

    public static TheoryData<string, string> IrqModes => new() { { "hardirqs", "-C" }, { "hardirqs", "-d" }, { "softirqs", "-d" } };

    /// <summary>
    /// The kernel's count per interrupt name: /proc/interrupts by action name (a shared line counts for each of its
    /// actions), /proc/softirqs by the lower-case name the tools print; lines in /proc/softirqs are in vector order.
    /// </summary>
    private static List<(string Name, long Count)> KernelIrqCounts(bool hard)
    {
        var counts = new List<(string, long)>();
        var lines = File.ReadAllLines(hard ? "/proc/interrupts" : "/proc/softirqs");
        int cpus = Columns(lines[0]).Length;
        foreach (var line in lines.Skip(1))
        {
            var c = Columns(line);
            if (c.Length < cpus + 1 || !c[0].EndsWith(':')) continue;
            long total = c.Skip(1).Take(cpus).Sum(long.Parse);
            if (!hard)
            {
                counts.Add((c[0].TrimEnd(':').ToLowerInvariant(), total));
                continue;
            }
            // "N: counts... chip hwirq-trigger action[, action...]": the actions follow the hwirq-trigger column.
            if (!int.TryParse(c[0].TrimEnd(':'), out _)) continue;
            int trigger = Array.FindIndex(c, cpus + 1, x => x.Contains('-', StringComparison.Ordinal) && char.IsDigit(x[0]));
            if (trigger < 0) continue;
            foreach (var action in string.Join(' ', c[(trigger + 1)..]).Split(", ", StringSplitOptions.RemoveEmptyEntries))
                counts.Add((action, total));
        }
        return counts;
    }

    [Theory]
    [MemberData(nameof(IrqModes))]
    public void Irqs(string tool, string mode)
    {
        TestKernel.RequireRoot();
        bool hard = tool == "hardirqs";
        var before = KernelIrqCounts(hard);
        // hardirqs -C counts at the handler's entry; its user space leaves the exit programs out (they would add times).
        string[] ourArgs = mode == "-C"
            ? ["--json", "--set", "do_count=true", "--no-program", "irq_handler_exit_btf", "--no-program", "irq_handler_exit"]
            : ["--json", "--set", "targ_dist=true"];
        using var twin = new Twin(tool, [mode], "Tracing", ourArgs);
        var attached = KernelIrqCounts(hard);
        // A load of the test's own: synchronous direct writes interrupt for each request on a disk (block softirqs too).
        string file = Path.Combine("/var/tmp", $"bsx-twins-irq-{Guid.NewGuid():N}");
        try { RunToEnd("/bin/dd", "if=/dev/zero", $"of={file}", "bs=4096", "count=200", "oflag=direct,dsync"); }
        finally { File.Delete(file); }
        Thread.Sleep(200);
        var stopping = KernelIrqCounts(hard);
        twin.Stop();
        var after = KernelIrqCounts(hard);

        // Each side's histograms (or counts, -C) by name.
        var theirs = new Dictionary<string, Dictionary<ulong, double>>();
        if (mode == "-C")
        {
            foreach (var c in twin.ToolLines.SkipWhile(l => !l.StartsWith("HARDIRQ", StringComparison.Ordinal)).Skip(1).Select(Columns).Where(c => c.Length == 2))
                theirs[c[0]] = new() { [0] = double.Parse(c[1]) };
        }
        else
        {
            string? name = null;
            var rows = new List<string>();
            foreach (var line in twin.ToolLines.Append("softirq = end"))
            {
                if (IrqHeader().Match(line) is not { Success: true } m)
                {
                    rows.Add(line);
                    continue;
                }
                if (name is not null) theirs[name] = Histogram(rows);
                name = m.Groups[1].Value;
                rows.Clear();
            }
        }
        var ours = new Dictionary<string, Dictionary<ulong, double>>();
        if (hard)
        {
            // infos: {name} → {count slots[]}
            foreach (var e in LastMap(twin, "infos"))
            {
                var v = e.GetProperty("value");
                ours[e.GetProperty("key").GetProperty("name").GetString()!] = mode == "-C"
                    ? new() { [0] = v.GetProperty("count").GetInt64() }
                    : Slots(v.GetProperty("slots"));
            }
        }
        else
        {
            // .bss: hists[vector].slots, the vectors in /proc/softirqs's order.
            var hists = LastMap(twin, "softirqs.bss").Single().GetProperty("value").GetProperty("hists").EnumerateArray().ToList();
            for (int i = 0; i < hists.Count && i < after.Count; i++)
                if (Slots(hists[i].GetProperty("slots")) is { Count: > 0 } h) ours[after[i].Name] = h;
        }

        Assert.True(theirs.Values.Sum(h => h.Values.Sum()) > 0, $"the tool counted nothing\n{twin.Describe()}");
        foreach (var name in theirs.Keys.Union(ours.Keys))
        {
            var t = theirs.GetValueOrDefault(name) ?? [];
            var o = ours.GetValueOrDefault(name) ?? [];
            double toolTotal = t.Values.Sum(), ourTotal = o.Values.Sum();
            // The kernel's counts of this name: while both observed, and in all.
            long inside = Delta(stopping, attached, name), whole = Delta(after, before, name);
            string counts = $"{name}: the tool counted {toolTotal}, bpfsharp {ourTotal}; the kernel {inside} while both were attached, {whole} in all";
            if (whole >= 0)
            {
                // Slack for the interrupt under way when a count was read, and for the few the kernel counts that
                // never reach the handlers' tracepoints (both observers agree exactly and see 1 % fewer at most).
                double slack = 2 + 0.02 * inside;
                Assert.True(toolTotal >= inside - slack && toolTotal <= whole + slack && ourTotal >= inside - slack && ourTotal <= whole + slack, $"{counts}\n{twin.Describe()}");
            }
            double noise = (whole >= 0 ? whole - inside : 0) + 2;
            Assert.True(Math.Abs(toolTotal - ourTotal) <= noise, $"{counts}\n{twin.Describe()}");
            // A slot: the same interrupts, each timed by each side's own clock reads around the other side's program
            // (which runs inside the time the first one measures, and costs a good part of a microsecond next to
            // handlers of one or two): an interrupt lands in the same slot on both sides or in a neighbouring one.
            foreach (var slot in t.Keys.Union(o.Keys))
            {
                double slack = noise + Math.Max(3, 0.05 * toolTotal);
                Assert.True(t.GetValueOrDefault(slot) <= Around(o, slot) + slack && o.GetValueOrDefault(slot) <= Around(t, slot) + slack,
                    $"{name} slot {slot}: {t.GetValueOrDefault(slot)} counted by the tool, {o.GetValueOrDefault(slot)} by bpfsharp\n{twin.Describe()}");
            }
        }
    }

    /// <summary>The count of a slot (by its low bound: 0, 2, 4, 8...) and of the slots either side of it.</summary>
    private static double Around(Dictionary<ulong, double> h, ulong slot)
    {
        ulong below = slot <= 2 ? 0 : slot / 2, above = slot == 0 ? 2 : slot * 2;
        return h.GetValueOrDefault(slot) + (below != slot ? h.GetValueOrDefault(below) : 0) + h.GetValueOrDefault(above);
    }

    /// <summary>The kernel's count of <paramref name="name"/> from one reading to a later one, -1 when it has no such line.</summary>
    private static long Delta(List<(string Name, long Count)> later, List<(string Name, long Count)> earlier, string name)
    {
        var l = later.Where(x => x.Name == name).ToList();
        var e = earlier.Where(x => x.Name == name).ToList();
        return l.Count == 1 && e.Count == 1 ? l[0].Count - e[0].Count : -1;
    }

    /// <summary>A slots array as slot low bound → count, as <see cref="Histogram"/> reads a drawn one.</summary>
    private static Dictionary<ulong, double> Slots(JsonElement slots)
    {
        var counts = slots.EnumerateArray().Select(s => s.GetDouble()).ToList();
        var h = new Dictionary<ulong, double>();
        for (int i = 0; i < counts.Count; i++)
            if (counts[i] > 0) h[i == 0 ? 0 : 1UL << i] = counts[i];
        return h;
    }
}
