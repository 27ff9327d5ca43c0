using System.Buffers.Binary;

namespace BpfSharp.Cli;

/// <summary>
/// The BPF objects an executable carries in its data (libbpf skeletons embed the whole <c>.bpf.o</c>): every
/// 64-bit little-endian ELF image with <c>e_machine</c> EM_BPF, its length taken from its own section table
/// (the end of the furthest section or of the table itself), since nothing around it records the size.
/// </summary>
internal static class EmbeddedObjects
{
    private const ushort EmBpf = 247;
    private const uint ShtNobits = 8; // occupies no bytes in the file

    private static ReadOnlySpan<byte> Magic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    public static List<ReadOnlyMemory<byte>> Find(ReadOnlyMemory<byte> image)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        var data = image.Span;
        int at = data.IndexOf(Magic);
        while (at >= 0)
        {
            int length = ImageLength(data[at..]);
            if (length > 0) found.Add(image.Slice(at, length));
            int next = at + Math.Max(length, 1);
            int rel = data[next..].IndexOf(Magic);
            at = rel < 0 ? -1 : next + rel;
        }
        return found;
    }

    /// <summary>The length of the BPF ELF image at the start of <paramref name="data"/>, or 0 when there is none.</summary>
    private static int ImageLength(ReadOnlySpan<byte> data)
    {
        // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, then e_machine at 18.
        if (data.Length < 64 || data[4] != 2 || data[5] != 1 || data[6] != 1 || BinaryPrimitives.ReadUInt16LittleEndian(data[18..]) != EmBpf)
            return 0;
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(data[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(data[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(data[0x3C..]);
        if (shentsize < 64 || shoff + (ulong)(shentsize * shnum) > (ulong)data.Length) return 0;
        ulong end = shoff + (ulong)(shentsize * shnum);
        for (int i = 0; i < shnum; i++)
        {
            var sh = data.Slice((int)shoff + i * shentsize, shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) == ShtNobits) continue;
            ulong sectionEnd = BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]) + BinaryPrimitives.ReadUInt64LittleEndian(sh[32..]);
            if (sectionEnd > (ulong)data.Length) return 0;
            end = Math.Max(end, sectionEnd);
        }
        return (int)end;
    }
}
