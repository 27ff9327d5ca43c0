using System.Runtime.InteropServices;
using BpfSharp.Interop;

namespace BpfSharp;

// Batch operations: many elements per system call. Keys and values are packed arrays; per-CPU values
// take ValueBufferSize bytes each.
public sealed unsafe partial class BpfMap
{
    /// <summary>
    /// Reads the next batch of up to <c>keys.Length / KeySize</c> elements into <paramref name="keys"/> and
    /// <paramref name="values"/>, returning how many were read; the cursor marks where the next batch starts.
    /// </summary>
    public int LookupBatch(BpfMapBatchCursor cursor, Span<byte> keys, Span<byte> values) =>
        LookupBatchCore(BpfCommand.BPF_MAP_LOOKUP_BATCH, cursor, keys, values);

    /// <summary>Like <see cref="LookupBatch(BpfMapBatchCursor, Span{byte}, Span{byte})"/>, deleting what it read.</summary>
    public int LookupAndDeleteBatch(BpfMapBatchCursor cursor, Span<byte> keys, Span<byte> values) =>
        LookupBatchCore(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, cursor, keys, values);

    /// <summary>Like <see cref="LookupBatch(BpfMapBatchCursor, Span{byte}, Span{byte})"/> with typed keys and values: reads up to <c>keys.Length</c> elements.</summary>
    public int LookupBatch<TKey, TValue>(BpfMapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged =>
        LookupBatchCore(BpfCommand.BPF_MAP_LOOKUP_BATCH, cursor, TypedKeys(keys), TypedValues(values, keys.Length));

    /// <summary>Like <see cref="LookupAndDeleteBatch(BpfMapBatchCursor, Span{byte}, Span{byte})"/> with typed keys and values.</summary>
    public int LookupAndDeleteBatch<TKey, TValue>(BpfMapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged =>
        LookupBatchCore(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, cursor, TypedKeys(keys), TypedValues(values, keys.Length));

    /// <summary>Creates or replaces every element given; returns how many were written.</summary>
    public int UpdateBatch(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
    {
        int count = BatchCount(keys.Length, values.Length);
        fixed (byte* k = keys, v = values)
            return WriteBatch(BpfCommand.BPF_MAP_UPDATE_BATCH, k, v, count, (ulong)flags);
    }

    /// <summary>Like <see cref="UpdateBatch(ReadOnlySpan{byte}, ReadOnlySpan{byte}, BpfMapUpdateFlags)"/> with typed keys and values.</summary>
    public int UpdateBatch<TKey, TValue>(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged =>
        UpdateBatch(TypedKeys(keys), TypedValues(values, keys.Length), flags);

    /// <summary>Deletes every key given; returns how many were deleted (fails with ENOENT at an absent key).</summary>
    public int DeleteBatch(ReadOnlySpan<byte> keys)
    {
        if (KeySize == 0 || keys.Length % KeySize != 0) throw new ArgumentException($"keys must be a multiple of {KeySize} bytes", nameof(keys));
        fixed (byte* k = keys)
            return WriteBatch(BpfCommand.BPF_MAP_DELETE_BATCH, k, null, keys.Length / KeySize, 0);
    }

    /// <summary>Like <see cref="DeleteBatch(ReadOnlySpan{byte})"/> with typed keys.</summary>
    public int DeleteBatch<TKey>(ReadOnlySpan<TKey> keys) where TKey : unmanaged => DeleteBatch(TypedKeys(keys));

    private int LookupBatchCore(BpfCommand cmd, BpfMapBatchCursor cursor, Span<byte> keys, Span<byte> values)
    {
        if (cursor.IsDone) return 0;
        int count = BatchCount(keys.Length, values.Length);
        if (cursor.Token.Length == 0)
        {
            cursor.Token = new byte[Math.Max(KeySize, 8)];
            cursor.NextToken = new byte[cursor.Token.Length];
        }
        // The kernel writes the next position into a second buffer; the two swap after each batch (no allocation).
        var outToken = cursor.NextToken;
        using var use = new HandleUse(Handle);
        fixed (byte* k = keys, v = values, inTok = cursor.Token, outTok = outToken)
        {
            var attr = new MapBatchAttr
            {
                in_batch = cursor.Started ? (ulong)inTok : 0,
                out_batch = (ulong)outTok,
                keys = (ulong)k,
                values = (ulong)v,
                count = (uint)count,
                map_fd = use.Fd,
            };
            int r = Bpf.TryCall(cmd, ref attr);
            // ENOENT: the walk reached the end; attr.count still says how many this last batch holds.
            if (r == -Errnos.ENOENT) cursor.IsDone = true;
            else if (r < 0) throw new BpfException(cmd.ToString(), -r, $"map \"{Name}\"");
            cursor.NextToken = cursor.Token;
            cursor.Token = outToken;
            cursor.Started = true;
            return (int)attr.count;
        }
    }

    private int WriteBatch(BpfCommand cmd, byte* keys, byte* values, int count, ulong elemFlags)
    {
        using var use = new HandleUse(Handle);
        var attr = new MapBatchAttr
        {
            keys = (ulong)keys,
            values = (ulong)values,
            count = (uint)count,
            map_fd = use.Fd,
            elem_flags = elemFlags,
        };
        int r = Bpf.TryCall(cmd, ref attr);
        if (r < 0) throw new BpfException(cmd.ToString(), -r, $"map \"{Name}\" ({attr.count} of {count} elements done)");
        return (int)attr.count;
    }

    private int BatchCount(int keyBytes, int valueBytes)
    {
        if (KeySize == 0 || keyBytes % KeySize != 0) throw new ArgumentException($"keys must be a multiple of {KeySize} bytes", "keys");
        int count = keyBytes / KeySize;
        if (valueBytes < (long)count * ValueBufferSize)
            throw new ArgumentException($"{count} keys need {(long)count * ValueBufferSize} bytes of values", "values");
        return count;
    }

    private Span<byte> TypedKeys<TKey>(Span<TKey> keys) where TKey : unmanaged
    {
        if (sizeof(TKey) != KeySize) throw KeyTypeMismatch(sizeof(TKey));
        return MemoryMarshal.AsBytes(keys);
    }

    private ReadOnlySpan<byte> TypedKeys<TKey>(ReadOnlySpan<TKey> keys) where TKey : unmanaged
    {
        if (sizeof(TKey) != KeySize) throw KeyTypeMismatch(sizeof(TKey));
        return MemoryMarshal.AsBytes(keys);
    }

    // A per-CPU batch value is one whole per-CPU buffer; TValue is then either that whole buffer or one
    // 8-byte-multiple slot with PossibleCpuCount of them per key.
    private Span<byte> TypedValues<TValue>(Span<TValue> values, int keyCount) where TValue : unmanaged
    {
        CheckBatchValueType(sizeof(TValue));
        return MemoryMarshal.AsBytes(values);
    }

    private ReadOnlySpan<byte> TypedValues<TValue>(ReadOnlySpan<TValue> values, int keyCount) where TValue : unmanaged
    {
        CheckBatchValueType(sizeof(TValue));
        return MemoryMarshal.AsBytes(values);
    }

    private void CheckBatchValueType(int size)
    {
        bool ok = size == ValueBufferSize || (IsPerCpu && size == PerCpuStride);
        if (!ok) throw ValueTypeMismatch(size);
    }
}
