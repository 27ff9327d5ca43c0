using System.Globalization;

namespace BpfSharp.Tracing;

/// <summary>
/// The kprobe or uprobe perf PMU (Linux 4.17): <c>perf_event_open</c> creates the probe itself, with no tracefs
/// event to clean up, and the kernel removes it when the perf event is closed.
/// </summary>
/// <remarks>
/// The perf event's attributes: <c>type</c> = <see cref="Type"/>; <c>config</c> = <see cref="GetConfig"/>;
/// for a kprobe <c>config1</c> points to the NUL-terminated function name and <c>config2</c> is the offset in it
/// (or <c>config1</c> = 0 and <c>config2</c> = an address); for a uprobe <c>config1</c> points to the path and
/// <c>config2</c> is the file offset.
/// </remarks>
public sealed class ProbePmu
{
    private const string DevicesDirectory = "/sys/bus/event_source/devices";

    private readonly string _directory;
    private readonly Lazy<(Description? Pmu, string? Missing)> _read;

    private ProbePmu(string name, string directory)
    {
        Name = name;
        _directory = directory;
        _read = new Lazy<(Description?, string?)>(() => Read(_directory), LazyThreadSafetyMode.ExecutionAndPublication);
        Feature = new BpfFeature($"{name} PMU", "4.17", () => _read.Value.Missing);
    }

    /// <summary>The <c>kprobe</c> PMU.</summary>
    public static ProbePmu Kprobe { get; } = new("kprobe", Path.Combine(DevicesDirectory, "kprobe"));

    /// <summary>The <c>uprobe</c> PMU.</summary>
    public static ProbePmu Uprobe { get; } = new("uprobe", Path.Combine(DevicesDirectory, "uprobe"));

    /// <summary>The PMU of the device directory <paramref name="directory"/> (for tests and unusual sysfs mounts).</summary>
    internal static ProbePmu FromDirectory(string name, string directory) => new(name, directory);

    /// <summary><c>kprobe</c> or <c>uprobe</c>.</summary>
    public string Name { get; }

    /// <summary>The feature probe behind <see cref="IsAvailable"/>, with the reason when it is missing.</summary>
    public BpfFeature Feature { get; }

    /// <summary>Whether the kernel has this PMU.</summary>
    public bool IsAvailable => _read.Value.Pmu is not null;

    /// <summary>The perf event type to put in <c>perf_event_attr.type</c> (dynamic, read from sysfs).</summary>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no such PMU.</exception>
    public uint Type => Require().Type;

    /// <summary>The <c>config</c> bit that makes the probe a return probe (from <c>format/retprobe</c>, <c>config:0</c>).</summary>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no such PMU.</exception>
    public int RetprobeBit => Require().RetprobeBit;

    /// <summary>
    /// Where a uprobe's reference counter (USDT semaphore) offset goes in <c>config</c>
    /// (<c>format/ref_ctr_offset</c>, <c>config:32-63</c>, Linux 4.20), or -1 when the PMU has none.
    /// </summary>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no such PMU.</exception>
    public int ReferenceCounterShift => Require().ReferenceCounterShift;

    /// <summary>The perf event's <c>config</c> for a probe or return probe, with a uprobe's semaphore offset.</summary>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no such PMU.</exception>
    /// <exception cref="NotSupportedException">A reference counter offset was given and the PMU takes none.</exception>
    public ulong GetConfig(bool retprobe, ulong referenceCounterOffset = 0)
    {
        Description pmu = Require();
        ulong config = retprobe ? 1UL << pmu.RetprobeBit : 0;
        if (referenceCounterOffset == 0)
            return config;
        if (pmu.ReferenceCounterShift < 0)
            throw new NotSupportedException($"the {Name} PMU takes no reference counter offset (format/ref_ctr_offset needs Linux 4.20)");
        if (pmu.ReferenceCounterShift > 0 && referenceCounterOffset >> (64 - pmu.ReferenceCounterShift) != 0)
            throw new ArgumentOutOfRangeException(nameof(referenceCounterOffset), referenceCounterOffset, $"does not fit the {Name} PMU's config field");
        return config | referenceCounterOffset << pmu.ReferenceCounterShift;
    }

    /// <summary>The PMU's name and what was read of it (type, retprobe bit, reference counter shift).</summary>
    public override string ToString() => _read.Value.Pmu is { } p
        ? $"{Name} PMU: type {p.Type}, retprobe bit {p.RetprobeBit}, ref_ctr_offset shift {p.ReferenceCounterShift}"
        : $"{Name} PMU: not available ({_read.Value.Missing})";

    private Description Require()
    {
        var (pmu, missing) = _read.Value;
        return pmu ?? throw new BpfFeatureNotSupportedException(Feature, missing!);
    }

    private readonly record struct Description(uint Type, int RetprobeBit, int ReferenceCounterShift);

    private static (Description?, string?) Read(string directory)
    {
        string typeFile = Path.Combine(directory, "type");
        if (!Directory.Exists(directory))
            return (null, $"{directory} does not exist (a kernel without CONFIG_{Path.GetFileName(directory).ToUpperInvariant()}_EVENTS or without the PMU)");
        string? typeText = ReadOrNull(typeFile);
        if (typeText is null || !uint.TryParse(typeText.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint type))
            return (null, $"{typeFile} is missing or not a number");

        string retprobeFile = Path.Combine(directory, "format", "retprobe");
        if (ParseFormatBit(ReadOrNull(retprobeFile)) is not int retprobeBit)
            return (null, $"{retprobeFile} is missing or not of the form config:N");
        int shift = ParseFormatBit(ReadOrNull(Path.Combine(directory, "format", "ref_ctr_offset"))) ?? -1;
        return (new Description(type, retprobeBit, shift), null);
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The first bit of a sysfs PMU format field: <c>config:0</c> → 0, <c>config:32-63</c> → 32.</summary>
    internal static int? ParseFormatBit(string? format)
    {
        if (format is null)
            return null;
        ReadOnlySpan<char> text = format.AsSpan().Trim();
        if (!text.StartsWith("config:", StringComparison.Ordinal))
            return null;
        text = text["config:".Length..];
        int dash = text.IndexOf('-');
        if (dash >= 0)
            text = text[..dash];
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int bit) && bit < 64 ? bit : null;
    }
}
