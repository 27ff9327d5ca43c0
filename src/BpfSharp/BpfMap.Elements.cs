using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using BpfSharp.Interop;

namespace BpfSharp;

// Element operations over byte spans. Each is one bpf(2) call with no allocation. An empty key span
// passes NULL, which is what queue, stack and bloom filter maps expect.
public sealed unsafe partial class BpfMap
{
    /// <summary>Copies the value of <paramref name="key"/> into <paramref name="value"/> (at least <see cref="ValueBufferSize"/> bytes); false when the key is absent.</summary>
    public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value, BpfMapLookupFlags flags = BpfMapLookupFlags.None)
    {
        CheckKey(key.Length);
        CheckValue(value.Length);
        fixed (byte* k = key, v = value)
            return ElementCall(BpfCommand.BPF_MAP_LOOKUP_ELEM, k, v, (ulong)flags, Errnos.ENOENT);
    }

    /// <summary>Copies the value of <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when it is absent.</summary>
    public void Lookup(ReadOnlySpan<byte> key, Span<byte> value, BpfMapLookupFlags flags = BpfMapLookupFlags.None)
    {
        if (!TryLookup(key, value, flags)) throw KeyNotFound();
    }

    /// <summary>Creates or replaces the element, as <paramref name="flags"/> allow.</summary>
    public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
    {
        CheckKey(key.Length);
        CheckValue(value.Length);
        fixed (byte* k = key, v = value)
            ElementCall(BpfCommand.BPF_MAP_UPDATE_ELEM, k, v, (ulong)flags, 0);
    }

    /// <summary>Deletes the element; false when the key was absent.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key.Length);
        fixed (byte* k = key)
            return ElementCall(BpfCommand.BPF_MAP_DELETE_ELEM, k, null, 0, Errnos.ENOENT);
    }

    /// <summary>Copies the value and deletes the element in one step (queues and stacks: pops); false when absent or empty.</summary>
    public bool TryLookupAndDelete(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key.Length);
        CheckValue(value.Length);
        fixed (byte* k = key, v = value)
            return ElementCall(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, k, v, 0, Errnos.ENOENT);
    }

    /// <summary>
    /// Writes the key after <paramref name="key"/> (the first key when <paramref name="key"/> is empty) into
    /// <paramref name="nextKey"/>; false after the last key. A key that is no longer in a hash map restarts at the first.
    /// </summary>
    public bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        if (!key.IsEmpty) CheckKey(key.Length);
        if (nextKey.Length < KeySize) throw new ArgumentException($"the next-key buffer needs {KeySize} bytes", nameof(nextKey));
        fixed (byte* k = key, n = nextKey)
            return ElementCall(BpfCommand.BPF_MAP_GET_NEXT_KEY, k, n, 0, Errnos.ENOENT);
    }

    /// <summary>
    /// One element command. Returns false when the kernel answers <paramref name="absentErrno"/>
    /// (the key is not there), true on success, and throws otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ElementCall(BpfCommand cmd, void* key, void* value, ulong flags, int absentErrno)
    {
        bool added = false;
        try
        {
            Handle.DangerousAddRef(ref added);
            var attr = new MapElemAttr
            {
                map_fd = (uint)Handle.DangerousGetHandle(),
                key = (ulong)key,
                value = (ulong)value,
                flags = flags,
            };
            long r;
            do r = Libc.Bpf((int)cmd, &attr, (uint)sizeof(MapElemAttr));
            while (r == -Errnos.EINTR);
            if (r >= 0) return true;
            int errno = (int)-r;
            if (errno == absentErrno) return false;
            throw new BpfException(cmd.ToString(), errno, $"map \"{Name}\"");
        }
        finally
        {
            if (added) Handle.DangerousRelease();
        }
    }

    // The checks run on every element operation: small enough to inline, with the throws out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckKey(int length)
    {
        // Queue, stack and bloom filter maps have no key: an empty span (NULL) is what they take.
        if (length != KeySize && !(KeySize == 0 && length == 0)) ThrowKeySize(length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckValue(int length)
    {
        if (length < ValueBufferSize) ThrowValueSize(length);
    }

    [DoesNotReturn]
    private void ThrowKeySize(int length) =>
        throw new ArgumentException($"map \"{Name}\" has {KeySize}-byte keys, not {length}", "key");

    [DoesNotReturn]
    private void ThrowValueSize(int length) =>
        throw new ArgumentException($"map \"{Name}\" needs a {ValueBufferSize}-byte value buffer, not {length}", "value");

    private KeyNotFoundException KeyNotFound() => new($"the key is not in map \"{Name}\"");
}
