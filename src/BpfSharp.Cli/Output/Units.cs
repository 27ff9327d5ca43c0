using System.Globalization;

namespace BpfSharp.Cli.Output;

/// <summary>Sizes and durations in the units a person reads at a glance.</summary>
internal static class Units
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    public static string Duration(TimeSpan time)
    {
        double ns = time.Ticks * 100.0;
        return ns switch
        {
            < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{ns:0} ns"),
            < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000:0.#} µs"),
            < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000:0.#} ms"),
            < 60_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.##} s"),
            _ => time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Parses 10, 10s, 500ms, 2m, 1h (a bare number is seconds).</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0) return false;
        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
