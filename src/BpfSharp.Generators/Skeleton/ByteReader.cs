using System;
using System.Text;

namespace BpfSharp.Generators.Skeleton;

/// <summary>Little-endian reads from a byte array (BPF objects are little-endian on every target BpfSharp runs on).</summary>
internal static class ByteReader
{
    public static ushort U16(byte[] b, int at) => (ushort)(b[at] | b[at + 1] << 8);

    public static uint U32(byte[] b, int at) => (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);

    public static int I32(byte[] b, int at) => (int)U32(b, at);

    public static ulong U64(byte[] b, int at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;

    public static void Check(byte[] b, long at, long length, string what)
    {
        if (at < 0 || length < 0 || at + length > b.Length)
            throw new SkeletonException($"{what} lies outside the file ({at}+{length} > {b.Length})");
    }

    /// <summary>A NUL-terminated UTF-8 string starting at <paramref name="at"/>.</summary>
    public static string CString(byte[] b, int at)
    {
        int end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.UTF8.GetString(b, at, end - at);
    }
}

/// <summary>An object the generator cannot read; reported as diagnostic BPFSKEL003.</summary>
public sealed class SkeletonException : Exception
{
    public SkeletonException(string message) : base(message) { }
}
