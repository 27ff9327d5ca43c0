using System.Text.Json;

namespace BpfSharp.Tests.Support;

/// <summary>
/// bpftool's own answer to "what does this kernel offer" (<c>bpftool feature probe kernel -j</c>, run once): the
/// independent witness for BpfSharp's probes on a host whose kernel may refuse what its version has.
/// bpftool 7.1 knows the program and map types up to Linux 6.1; a type it does not list is null.
/// </summary>
public static class BpftoolProbe
{
    private static readonly Lazy<JsonElement> Kernel = new(() =>
    {
        string output = TestKernel.Run(TestKernel.RequireTool("bpftool"), "feature", "probe", "kernel", "-j");
        return JsonDocument.Parse(output).RootElement.Clone();
    });

    /// <summary>Whether bpftool found program type <paramref name="name"/> (its own spelling, e.g. "sk_lookup").</summary>
    public static bool? HasProgramType(string name) => Flag("program_types", $"have_{name}_prog_type");

    /// <summary>Whether bpftool found map type <paramref name="name"/> (its own spelling, e.g. "ringbuf").</summary>
    public static bool? HasMapType(string name) => Flag("map_types", $"have_{name}_map_type");

    /// <summary>Whether programs of bpftool's type <paramref name="programType"/> may call <paramref name="helper"/>.</summary>
    public static bool HasHelper(string programType, string helper) =>
        Kernel.Value.GetProperty("helpers").TryGetProperty($"{programType}_available_helpers", out var list)
        && list.EnumerateArray().Any(h => h.GetString() == helper);

    private static bool? Flag(string group, string key) =>
        Kernel.Value.GetProperty(group).TryGetProperty(key, out var v) ? v.GetBoolean() : null;
}
