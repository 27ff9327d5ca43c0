namespace BpfSharp;

// Walking a map key by key with BPF_MAP_GET_NEXT_KEY. The walk sees a live map: elements added or
// removed meanwhile may or may not be visited, and a deleted current key restarts a hash map's walk.
public sealed partial class BpfMap
{
    /// <summary>Every key of the map, in the kernel's order.</summary>
    public IEnumerable<TKey> GetKeys<TKey>() where TKey : unmanaged
    {
        if (!TryGetFirstKey(out TKey key)) yield break;
        while (true)
        {
            yield return key;
            // The next key goes to a separate variable: the out parameter is cleared before the kernel reads the key.
            if (!TryGetNextKey(in key, out TKey next)) yield break;
            key = next;
        }
    }

    /// <summary>Every element whose key is still present when its value is read.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> GetEntries<TKey, TValue>()
        where TKey : unmanaged where TValue : unmanaged
    {
        foreach (var key in GetKeys<TKey>())
            if (TryLookup(in key, out TValue value))
                yield return new(key, value);
    }

    /// <summary>Every key as a byte array (for maps whose key type is known only at run time).</summary>
    public IEnumerable<byte[]> GetKeys()
    {
        var key = new byte[KeySize];
        if (!TryGetNextKey(ReadOnlySpan<byte>.Empty, key)) yield break;
        while (true)
        {
            yield return (byte[])key.Clone();
            var next = new byte[KeySize];
            if (!TryGetNextKey(key, next)) yield break;
            key = next;
        }
    }

    /// <summary>Every element as byte arrays; the value holds <see cref="ValueBufferSize"/> bytes.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> GetEntries()
    {
        foreach (var key in GetKeys())
        {
            var value = new byte[ValueBufferSize];
            if (TryLookup(key, value)) yield return new(key, value);
        }
    }
}
