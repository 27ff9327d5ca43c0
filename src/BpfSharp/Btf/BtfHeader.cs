using System.Buffers.Binary;

namespace BpfSharp.Btf;

/// <summary>
/// <c>struct btf_header</c>: magic, version, flags, header length, then the type and string sections' offsets and
/// lengths, both counted from the end of the header.
/// </summary>
internal readonly struct BtfHeader
{
    public const ushort Magic = 0xEB9F;
    /// <summary>The magic as a little-endian reader sees a big-endian blob's.</summary>
    public const ushort SwappedMagic = 0x9FEB;
    public const byte Version = 1;
    /// <summary>Size of the header this reader knows; <c>hdr_len</c> may be larger (later fields are ignored).</summary>
    public const int MinLength = 24;

    public int HeaderLength { get; init; }
    /// <summary>Absolute offset of the type section in the blob.</summary>
    public int TypeStart { get; init; }
    public int TypeLength { get; init; }
    /// <summary>Absolute offset of the string section in the blob.</summary>
    public int StringStart { get; init; }
    public int StringLength { get; init; }

    /// <summary>Reads and checks the header, and that both sections lie inside <paramref name="blob"/> without overlapping.</summary>
    public static BtfHeader Read(ReadOnlySpan<byte> blob, bool split)
    {
        if (blob.Length < 2)
            throw BtfParser.Error("blob of {0} bytes is too short for a BTF header", blob.Length);
        var magic = BinaryPrimitives.ReadUInt16LittleEndian(blob);
        if (magic == SwappedMagic)
            throw BtfParser.Error("big-endian BTF is not supported (magic 0x9FEB read as little-endian)");
        if (magic != Magic)
            throw BtfParser.Error("bad magic 0x{0:X4} (expected 0xEB9F)", magic);
        if (blob.Length < MinLength)
            throw BtfParser.Error("blob of {0} bytes is too short for the {1}-byte BTF header", blob.Length, MinLength);

        var version = blob[2];
        if (version != Version)
            throw BtfParser.Error("unsupported BTF version {0} (expected {1})", version, Version);
        // The kernel refuses any flag it does not know; none is defined.
        var flags = blob[3];
        if (flags != 0)
            throw BtfParser.Error("unsupported header flags 0x{0:X2}", flags);

        var hdrLen = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        var typeOff = BinaryPrimitives.ReadUInt32LittleEndian(blob[8..]);
        var typeLen = BinaryPrimitives.ReadUInt32LittleEndian(blob[12..]);
        var strOff = BinaryPrimitives.ReadUInt32LittleEndian(blob[16..]);
        var strLen = BinaryPrimitives.ReadUInt32LittleEndian(blob[20..]);

        if (hdrLen < MinLength || hdrLen > (uint)blob.Length)
            throw BtfParser.Error("header length {0} is outside [{1}, {2}]", hdrLen, MinLength, blob.Length);

        // Offsets count from the end of the header; do the sums in 64 bits so that no u32 wraps.
        ulong available = (ulong)blob.Length - hdrLen;
        if ((ulong)typeOff + typeLen > available)
            throw BtfParser.Error("type section [{0}, +{1}) runs past the {2} bytes after the header", typeOff, typeLen, available);
        if ((ulong)strOff + strLen > available)
            throw BtfParser.Error("string section [{0}, +{1}) runs past the {2} bytes after the header", strOff, strLen, available);
        if (typeOff % 4 != 0)
            throw BtfParser.Error("type section offset {0} is not 4-byte aligned", typeOff);
        if (typeLen % 4 != 0)
            throw BtfParser.Error("type section length {0} is not a multiple of 4", typeLen);
        if (typeLen != 0 && strLen != 0 && typeOff < (ulong)strOff + strLen && strOff < (ulong)typeOff + typeLen)
            throw BtfParser.Error("type section [{0}, +{1}) overlaps string section [{2}, +{3})", typeOff, typeLen, strOff, strLen);

        // Offset 0 is the empty name, so a base blob's strings start with NUL; every string ends with one.
        // Split BTF may have no strings of its own.
        var strStart = (int)(hdrLen + strOff);
        if (strLen == 0)
        {
            if (!split)
                throw BtfParser.Error("string section is empty");
        }
        else
        {
            if (!split && blob[strStart] != 0)
                throw BtfParser.Error("string section does not start with the empty string");
            if (blob[strStart + (int)strLen - 1] != 0)
                throw BtfParser.Error("string section does not end with NUL");
        }

        return new BtfHeader
        {
            HeaderLength = (int)hdrLen,
            TypeStart = (int)(hdrLen + typeOff),
            TypeLength = (int)typeLen,
            StringStart = strStart,
            StringLength = (int)strLen,
        };
    }
}
