using System.IO.Compression;

namespace BpfSharp;

/// <summary>
/// The running kernel's build configuration (<c>CONFIG_*</c>), read from <c>/proc/config.gz</c> or, when the kernel does
/// not expose it, <c>/boot/config-$(uname -r)</c>: what <c>__kconfig</c> externs of BPF objects are resolved against.
/// </summary>
public sealed class KernelConfig
{
    private static readonly Lazy<KernelConfig> s_current = new(ReadCurrent);
    private readonly Dictionary<string, string> _values;

    private KernelConfig(Dictionary<string, string> values, string? source)
    {
        _values = values;
        Source = source;
    }

    /// <summary>The running kernel's configuration, read once per process.</summary>
    public static KernelConfig Current => s_current.Value;

    /// <summary>Where the configuration was read from; null when no configuration was found.</summary>
    public string? Source { get; }

    /// <summary>Every <c>CONFIG_NAME=value</c> line; options that are "not set" are absent.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The raw value (<c>y</c>, <c>m</c>, <c>250</c>, <c>"text"</c> with its quotes) of an option.</summary>
    public bool TryGetValue(string name, out string value) => _values.TryGetValue(name, out value!);

    /// <summary>Parses the text of a kernel <c>.config</c>.</summary>
    public static KernelConfig Parse(string text, string? source = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("CONFIG_", StringComparison.Ordinal)) continue;
            int eq = line.IndexOf('=');
            if (eq > 0) values[line[..eq]] = line[(eq + 1)..];
        }
        return new KernelConfig(values, source);
    }

    private static KernelConfig ReadCurrent()
    {
        const string proc = "/proc/config.gz";
        if (File.Exists(proc))
        {
            using var gz = new GZipStream(File.OpenRead(proc), CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            return Parse(reader.ReadToEnd(), proc);
        }
        string boot = $"/boot/config-{KernelRelease}";
        if (File.Exists(boot)) return Parse(File.ReadAllText(boot), boot);
        return new KernelConfig([], null);
    }

    /// <summary>The running kernel's release (<c>uname -r</c>).</summary>
    public static string KernelRelease => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    /// <summary>
    /// The running kernel's version as <c>KERNEL_VERSION(a, b, c)</c> (what <c>LINUX_KERNEL_VERSION</c> holds): the
    /// release's first three numbers, the last capped at 255 as the kernel's own macro does.
    /// </summary>
    public static uint KernelVersionCode
    {
        get
        {
            var parts = KernelRelease.Split('.', '-', '+', '_');
            uint Part(int i) => i < parts.Length && uint.TryParse(parts[i], out uint v) ? v : 0;
            return Part(0) << 16 | Part(1) << 8 | Math.Min(Part(2), 255);
        }
    }
}
