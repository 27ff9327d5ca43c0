using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// A record cut inside its struct's last member, a char buffer: the program sent the part it filled, and that part
/// may hold several strings one after the other, each ending in NUL (execsnoop's <c>args</c>: the file name, then
/// every argument). Read as one C string it would stop at the first; these are all of them.
/// </summary>
internal static class TrailingStrings
{
    /// <summary>
    /// The last member's name and its strings when <paramref name="record"/> (as sent) stops
    /// inside that member and the member is a char array; null otherwise (a whole record reads as the struct says).
    /// </summary>
    public static (string Member, List<string> Strings)? Find(BtfStruct type, ReadOnlySpan<byte> record, BtfValueFormatter formatter)
    {
        if (record.Length >= type.Size || type.Members.Length == 0) return null;
        var last = type.Members[^1];
        // Text by the formatter's rule: a __u8 buffer is bytes, cut or not.
        if (last.IsBitfield || last.IsAnonymous || !formatter.WritesAsText(last.TypeId)) return null;
        int start = last.ByteOffset;
        if (record.Length <= start) return null;
        var filled = record[start..];
        var strings = new List<string>();
        while (filled.Length > 0)
        {
            int nul = filled.IndexOf((byte)0);
            if (nul < 0) { strings.Add(Encoding.UTF8.GetString(filled)); break; }
            strings.Add(Encoding.UTF8.GetString(filled[..nul]));
            filled = filled[(nul + 1)..];
        }
        // Perf records are padded to 8 bytes with zeros: empty strings at the end are that padding.
        while (strings.Count > 0 && strings[^1].Length == 0) strings.RemoveAt(strings.Count - 1);
        return (last.Name, strings);
    }
}
