using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace BpfSharp.Btf;

/// <summary>
/// Hash index from a name's UTF-8 bytes to the ids of one spec's own named types, built once on first lookup.
/// Names stay in the blob: the index holds only ints, so building it allocates no strings.
/// </summary>
internal sealed class BtfNameIndex
{
    private readonly BtfSpec _spec;
    // Chains of local indexes, stored +1 so that 0 ends a chain; each chain is in increasing id order.
    private readonly int[] _buckets;
    private readonly int[] _next;
    private readonly int[] _hashes;
    private readonly int _mask;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public BtfNameIndex(BtfSpec spec)
    {
        _spec = spec;
        int count = spec.Count - spec.FirstTypeId;
        int buckets = (int)Math.Min(1u << 30, BitOperations.RoundUpToPowerOf2((uint)Math.Max(count, 16)));
        _buckets = new int[buckets];
        _next = new int[count];
        _hashes = new int[count];
        _mask = buckets - 1;

        // Insert in decreasing id order at the chain heads, so each chain ends up in increasing order.
        for (int local = count - 1; local >= 0; local--)
        {
            int nameOffset = spec.GetLocalNameOffset(local);
            if (nameOffset == 0)
                continue;
            int hash = Hash(spec.GetStringBytes(nameOffset));
            ref int head = ref _buckets[hash & _mask];
            _hashes[local] = hash;
            _next[local] = head;
            head = local + 1;
        }
    }

    /// <summary>A fast 64-bit multiply-rotate hash over 8-byte chunks, folded to 32 bits (names are short).</summary>
    public static int Hash(ReadOnlySpan<byte> name)
    {
        const ulong K = 0x9E37_79B9_7F4A_7C15;
        ulong h = K ^ (ulong)name.Length;
        while (name.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(name)) * K, 29);
            name = name[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < name.Length; i++)
            tail |= (ulong)name[i] << (8 * i);
        h = (h ^ tail) * K;
        // Final avalanche (MurmurHash3's fmix64), so that the low bits used as bucket index depend on every byte.
        h ^= h >> 33;
        h *= 0xFF51_AFD7_ED55_8CCD;
        h ^= h >> 33;
        return (int)h ^ (int)(h >> 32);
    }

    /// <summary>
    /// The next own type (as a local index) named <paramref name="name"/> after local index
    /// <paramref name="after"/> (−1 to start), or −1 when there is none.
    /// </summary>
    public int Next(ReadOnlySpan<byte> name, int hash, int after)
    {
        int candidate = after < 0 ? _buckets[hash & _mask] : _next[after];
        while (candidate != 0)
        {
            int local = candidate - 1;
            if (_hashes[local] == hash && _spec.GetStringBytes(_spec.GetLocalNameOffset(local)).SequenceEqual(name))
                return local;
            candidate = _next[local];
        }
        return -1;
    }
}
