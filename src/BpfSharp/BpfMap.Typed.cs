using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp;

// Element operations over unmanaged key and value types: the struct's bytes are the key or value.
// Sizes are checked against the map on every call (a compare, no allocation).
public sealed unsafe partial class BpfMap
{
    /// <summary>Reads the value of <paramref name="key"/> into <paramref name="value"/>; false when the key is absent. The types' sizes must be the map's key and value sizes.</summary>
    public bool TryLookup<TKey, TValue>(in TKey key, out TValue value, BpfMapLookupFlags flags = BpfMapLookupFlags.None)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes(sizeof(TKey), sizeof(TValue));
        value = default;
        fixed (TKey* k = &key) fixed (TValue* v = &value)
            return ElementCall(Interop.BpfCommand.BPF_MAP_LOOKUP_ELEM, KeyPtr(k), v, (ulong)flags, Interop.Errnos.ENOENT);
    }

    /// <summary>The value of <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public TValue Lookup<TKey, TValue>(in TKey key, BpfMapLookupFlags flags = BpfMapLookupFlags.None)
        where TKey : unmanaged where TValue : unmanaged
        => TryLookup<TKey, TValue>(key, out var value, flags) ? value : throw KeyNotFound();

    /// <summary>Creates or replaces the element of <paramref name="key"/>, as <paramref name="flags"/> allows.</summary>
    public void Update<TKey, TValue>(in TKey key, in TValue value, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes(sizeof(TKey), sizeof(TValue));
        fixed (TKey* k = &key) fixed (TValue* v = &value)
            ElementCall(Interop.BpfCommand.BPF_MAP_UPDATE_ELEM, KeyPtr(k), v, (ulong)flags, 0);
    }

    /// <summary>Deletes the element; false when the key was absent.</summary>
    public bool Delete<TKey>(in TKey key) where TKey : unmanaged
    {
        if (sizeof(TKey) != KeySize) throw KeyTypeMismatch(sizeof(TKey));
        fixed (TKey* k = &key)
            return ElementCall(Interop.BpfCommand.BPF_MAP_DELETE_ELEM, k, null, 0, Interop.Errnos.ENOENT);
    }

    /// <summary>Reads and deletes the element of <paramref name="key"/> (queues and stacks: pops, ignoring the key); false when absent.</summary>
    public bool TryLookupAndDelete<TKey, TValue>(in TKey key, out TValue value)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckTypes(sizeof(TKey), sizeof(TValue));
        value = default;
        fixed (TKey* k = &key) fixed (TValue* v = &value)
            return ElementCall(Interop.BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, KeyPtr(k), v, 0, Interop.Errnos.ENOENT);
    }

    /// <summary>The key after <paramref name="key"/> in the map's order; false after the last key.</summary>
    public bool TryGetNextKey<TKey>(in TKey key, out TKey nextKey) where TKey : unmanaged
    {
        if (sizeof(TKey) != KeySize) throw KeyTypeMismatch(sizeof(TKey));
        // Copy the key first: a caller may pass the same variable as key and nextKey.
        TKey current = key;
        nextKey = default;
        fixed (TKey* n = &nextKey)
            return ElementCall(Interop.BpfCommand.BPF_MAP_GET_NEXT_KEY, &current, n, 0, Interop.Errnos.ENOENT);
    }

    /// <summary>The map's first key; false when the map is empty.</summary>
    public bool TryGetFirstKey<TKey>(out TKey firstKey) where TKey : unmanaged
    {
        if (sizeof(TKey) != KeySize) throw KeyTypeMismatch(sizeof(TKey));
        firstKey = default;
        fixed (TKey* n = &firstKey)
            return ElementCall(Interop.BpfCommand.BPF_MAP_GET_NEXT_KEY, null, n, 0, Interop.Errnos.ENOENT);
    }

    /// <summary>Pushes a value onto a queue or stack map (or adds it to a bloom filter).</summary>
    public void Push<TValue>(in TValue value, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any) where TValue : unmanaged
    {
        CheckTypes(0, sizeof(TValue));
        fixed (TValue* v = &value)
            ElementCall(Interop.BpfCommand.BPF_MAP_UPDATE_ELEM, null, v, (ulong)flags, 0);
    }

    /// <summary>Pops the next value of a queue or stack map; false when empty.</summary>
    public bool TryPop<TValue>(out TValue value) where TValue : unmanaged
    {
        CheckTypes(0, sizeof(TValue));
        value = default;
        fixed (TValue* v = &value)
            return ElementCall(Interop.BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, null, v, 0, Interop.Errnos.ENOENT);
    }

    /// <summary>Reads the next value of a queue or stack map without removing it; false when empty.</summary>
    public bool TryPeek<TValue>(out TValue value) where TValue : unmanaged
    {
        CheckTypes(0, sizeof(TValue));
        value = default;
        fixed (TValue* v = &value)
            return ElementCall(Interop.BpfCommand.BPF_MAP_LOOKUP_ELEM, null, v, 0, Interop.Errnos.ENOENT);
    }

    /// <summary>
    /// Per-CPU maps: reads one value per possible CPU into <paramref name="values"/> (length at least
    /// <see cref="PossibleCpuCount"/>); false when the key is absent.
    /// </summary>
    public bool TryLookupPerCpu<TKey, TValue>(in TKey key, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckPerCpu<TKey, TValue>(values.Length);
        fixed (TKey* k = &key)
        {
            if (sizeof(TValue) == PerCpuStride)
                fixed (TValue* v = values)
                    return ElementCall(Interop.BpfCommand.BPF_MAP_LOOKUP_ELEM, k, v, 0, Interop.Errnos.ENOENT);
            // The kernel's slots are 8-byte aligned; a smaller struct goes through a scratch buffer.
            byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(ValueBufferSize);
            try
            {
                bool found;
                fixed (byte* s = scratch)
                    found = ElementCall(Interop.BpfCommand.BPF_MAP_LOOKUP_ELEM, k, s, 0, Interop.Errnos.ENOENT);
                if (found)
                    for (int cpu = 0; cpu < PossibleCpuCount; cpu++)
                        values[cpu] = MemoryMarshal.Read<TValue>(scratch.AsSpan(cpu * PerCpuStride));
                return found;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>Per-CPU maps: sets the value of every possible CPU from <paramref name="values"/>.</summary>
    public void UpdatePerCpu<TKey, TValue>(in TKey key, ReadOnlySpan<TValue> values, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        CheckPerCpu<TKey, TValue>(values.Length);
        fixed (TKey* k = &key)
        {
            if (sizeof(TValue) == PerCpuStride)
            {
                fixed (TValue* v = values)
                    ElementCall(Interop.BpfCommand.BPF_MAP_UPDATE_ELEM, k, v, (ulong)flags, 0);
                return;
            }
            byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(ValueBufferSize);
            try
            {
                scratch.AsSpan(0, ValueBufferSize).Clear();
                for (int cpu = 0; cpu < PossibleCpuCount; cpu++)
                    MemoryMarshal.Write(scratch.AsSpan(cpu * PerCpuStride), in values[cpu]);
                fixed (byte* s = scratch)
                    ElementCall(Interop.BpfCommand.BPF_MAP_UPDATE_ELEM, k, s, (ulong)flags, 0);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>How many values a per-CPU map holds per key: the number of possible CPUs.</summary>
    public static int PossibleCpuCount => Interop.Cpus.PossibleCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void* KeyPtr(void* key) => KeySize == 0 ? null : key;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckTypes(int keySize, int valueSize)
    {
        if (keySize != KeySize && KeySize != 0) throw KeyTypeMismatch(keySize);
        if (valueSize != ValueBufferSize) throw ValueTypeMismatch(valueSize);
    }

    private void CheckPerCpu<TKey, TValue>(int count) where TKey : unmanaged where TValue : unmanaged
    {
        if (!IsPerCpu) throw new InvalidOperationException($"map \"{Name}\" ({Type}) is not a per-CPU map");
        if (sizeof(TKey) != KeySize) throw KeyTypeMismatch(sizeof(TKey));
        if (sizeof(TValue) != ValueSize && sizeof(TValue) != PerCpuStride) throw ValueTypeMismatch(sizeof(TValue));
        if (count < PossibleCpuCount)
            throw new ArgumentException($"per-CPU values need {PossibleCpuCount} slots (one per possible CPU), not {count}", "values");
    }

    private ArgumentException KeyTypeMismatch(int size) => new($"map \"{Name}\" has {KeySize}-byte keys; the key type has {size} bytes");

    private ArgumentException ValueTypeMismatch(int size) => new(IsPerCpu
        ? $"map \"{Name}\" is per-CPU: use TryLookupPerCpu/UpdatePerCpu (value type {size} bytes)"
        : $"map \"{Name}\" has {ValueSize}-byte values; the value type has {size} bytes");
}

public sealed partial class BpfMap
{
    /// <summary>Stores a map in a map-in-map (array or hash of maps); the outer map holds it by reference.</summary>
    public void Update<TKey>(in TKey key, BpfMap innerMap, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any) where TKey : unmanaged
    {
        using var use = new Interop.HandleUse(innerMap.Handle);
        Update(in key, (int)use.Fd, flags);
    }

    /// <summary>Stores a program in a program array (for tail calls); the array holds it by reference.</summary>
    public void Update<TKey>(in TKey key, BpfProgram program, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any) where TKey : unmanaged
    {
        using var use = new Interop.HandleUse(program.Handle);
        Update(in key, (int)use.Fd, flags);
    }
}
