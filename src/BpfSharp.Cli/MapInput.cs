using System.Buffers.Binary;
using BpfSharp.Btf;

namespace BpfSharp.Cli;

/// <summary>
/// Keys and values typed for a map: what <see cref="ByteParser"/> takes, and, where the map's BTF gives the key or
/// value an enum type, the enumerator's name, as <c>map dump</c> prints it (<c>--key PROTO_TCP</c>).
/// </summary>
internal static class MapInput
{
    public static byte[] Key(BpfMapInfo info, string[] tokens) => Parse(info, info.BtfKeyTypeId, tokens, info.KeySize, "key");

    public static byte[] Value(BpfMapInfo info, string[] tokens) => Parse(info, info.BtfValueTypeId, tokens, info.ValueSize, "value");

    /// <summary>The value to write: for a per-CPU map the same value on every possible CPU, each in an 8-byte aligned slot.</summary>
    public static byte[] ValueForEachCpu(BpfMap map, BpfMapInfo info, string[] tokens)
    {
        var v = Value(info, tokens);
        if (!map.IsPerCpu) return v;
        var all = new byte[map.ValueBufferSize];
        int stride = (info.ValueSize + 7) & ~7;
        for (int off = 0; off + v.Length <= all.Length; off += stride) v.CopyTo(all, off);
        return all;
    }

    private static byte[] Parse(BpfMapInfo info, uint typeId, string[] tokens, int size, string what)
    {
        if (tokens is [var name] && typeId != 0 && info.BtfId != 0 && !ByteParser.TryInteger(name, out _) && IsIdentifier(name))
        {
            BtfSpec btf;
            try { btf = BtfSpec.LoadFromKernelId(info.BtfId); }
            catch (BpfException) { return ByteParser.Parse(tokens, size, what); }
            if (btf.SkipModifiers(btf[(int)typeId]) is BtfEnum e)
            {
                foreach (var v in e.Values)
                {
                    if (v.Name != name) continue;
                    var bytes = new byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(bytes, v.Value);
                    return bytes[..size];
                }
                try { return ByteParser.Parse(tokens, size, what); } // hex digits can look like a name
                catch (CliError) { throw new CliError($"{what}: enum {e.Name} has no {name} (it has {string.Join(", ", e.Values.Select(x => x.Name))})"); }
            }
        }
        return ByteParser.Parse(tokens, size, what);
    }

    private static bool IsIdentifier(string s) => s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
