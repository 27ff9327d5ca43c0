using System.Buffers.Binary;
using System.Globalization;

namespace BpfSharp.Cli;

/// <summary>
/// Keys and values typed on the command line: one integer (decimal or 0x-hex, stored little-endian in the
/// given size), one string of 2×size hex digits, or size separate hex bytes (<c>0a 00 00 01</c>).
/// </summary>
internal static class ByteParser
{
    public static byte[] Parse(string[] tokens, int size, string what)
    {
        if (tokens.Length == 0) throw new CliError($"{what}: no bytes given");
        if (tokens.Length == 1)
        {
            string t = tokens[0];
            if (t.Length == size * 2 && size > 8 && IsHex(t)) return Convert.FromHexString(t);
            if (size <= 8 && TryInteger(t, out ulong value))
            {
                if (size < 8 && value >> (size * 8) != 0 && (long)value >= 0) throw new CliError($"{what}: {t} does not fit in {size} bytes");
                var bytes = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
                return bytes[..size];
            }
            if (t.Length == size * 2 && IsHex(t)) return Convert.FromHexString(t);
        }
        if (tokens.Length != size)
            throw new CliError($"{what}: expected {size} bytes (an integer, {size * 2} hex digits or {size} hex bytes), got '{string.Join(' ', tokens)}'");
        var result = new byte[size];
        for (int i = 0; i < size; i++)
        {
            string b = tokens[i].StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? tokens[i][2..] : tokens[i];
            if (!byte.TryParse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out result[i]))
                throw new CliError($"{what}: '{tokens[i]}' is not a hex byte");
        }
        return result;
    }

    public static bool TryInteger(string t, out ulong value)
    {
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        if (t.StartsWith('-') && long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long signed))
        {
            value = (ulong)signed;
            return true;
        }
        return ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool IsHex(string t) => t.All(Uri.IsHexDigit);
}
