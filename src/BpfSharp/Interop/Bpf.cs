using System.Runtime.CompilerServices;

namespace BpfSharp.Interop;

/// <summary>
/// Typed entry to <c>bpf(2)</c>: one call per command, the attr passed by reference with its exact size.
/// Failures become <see cref="BpfException"/> naming the command and the object.
/// </summary>
internal static unsafe class Bpf
{
    /// <summary>Runs a command and returns the kernel's non-negative result, or <c>-errno</c>.</summary>
    public static int TryCall<T>(BpfCommand cmd, ref T attr) where T : unmanaged
    {
        fixed (T* p = &attr)
        {
            return (int)Libc.Bpf((int)cmd, p, (uint)sizeof(T));
        }
    }

    /// <summary>Runs a command, retrying on EINTR; throws on failure.</summary>
    public static int Call<T>(BpfCommand cmd, ref T attr, string? detail = null) where T : unmanaged
    {
        int r;
        do r = TryCall(cmd, ref attr); while (r == -Errnos.EINTR);
        if (r < 0) throw new BpfException(cmd.ToString(), -r, detail);
        return r;
    }

    /// <summary>Runs a command that returns a new fd and wraps it.</summary>
    public static SafeFdHandle CallForFd<T>(BpfCommand cmd, ref T attr, string? detail = null) where T : unmanaged
        => new(Call(cmd, ref attr, detail));

    /// <summary>Writes a NUL-terminated copy of <paramref name="s"/> into <paramref name="buffer"/>.</summary>
    public static Span<byte> CString(string s, Span<byte> buffer)
    {
        int n = System.Text.Encoding.UTF8.GetBytes(s, buffer[..^1]);
        buffer[n] = 0;
        return buffer[..(n + 1)];
    }

    public static byte[] CString(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    public static ulong Ptr(void* p) => (ulong)p;

    /// <summary>BPF_OBJ_GET_INFO_BY_FD into <typeparamref name="T"/>.</summary>
    public static T GetInfo<T>(SafeFdHandle fd, string what) where T : unmanaged
    {
        T info = default;
        GetInfo(fd, ref info, what);
        return info;
    }

    public static void GetInfo<T>(SafeFdHandle fd, ref T info, string what) where T : unmanaged
    {
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            fixed (T* p = &info)
            {
                var attr = new ObjInfoAttr { bpf_fd = (uint)fd.Fd, info_len = (uint)sizeof(T), info = (ulong)p };
                Call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, ref attr, what);
            }
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    /// <summary>BPF_OBJ_GET_INFO_BY_FD into raw bytes (the kernel fills what it knows, up to their length).</summary>
    public static void GetInfo(SafeFdHandle fd, Span<byte> info, string what)
    {
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            fixed (byte* p = info)
            {
                var attr = new ObjInfoAttr { bpf_fd = (uint)fd.Fd, info_len = (uint)info.Length, info = (ulong)p };
                Call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, ref attr, what);
            }
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    /// <summary>BPF_OBJ_PIN of <paramref name="fd"/> at <paramref name="path"/>.</summary>
    public static void Pin(SafeFdHandle fd, string path, string what)
    {
        var name = CString(path);
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            fixed (byte* p = name)
            {
                var attr = new ObjPinAttr { pathname = (ulong)p, bpf_fd = (uint)fd.Fd };
                Call(BpfCommand.BPF_OBJ_PIN, ref attr, $"{what} at {path}");
            }
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }

    /// <summary>BPF_OBJ_GET: opens the object pinned at <paramref name="path"/>.</summary>
    public static SafeFdHandle OpenPinned(string path, uint flags = 0)
    {
        var name = CString(path);
        fixed (byte* p = name)
        {
            var attr = new ObjPinAttr { pathname = (ulong)p, file_flags = flags };
            return CallForFd(BpfCommand.BPF_OBJ_GET, ref attr, path);
        }
    }

    /// <summary>Walks the ids of one object kind with a *_GET_NEXT_ID command.</summary>
    public static IEnumerable<uint> EnumerateIds(BpfCommand nextIdCommand)
    {
        uint id = 0;
        while (true)
        {
            var attr = new GetIdAttr { start_id = id };
            int r = TryCall(nextIdCommand, ref attr);
            if (r == -Errnos.ENOENT) yield break;
            if (r < 0) throw new BpfException(nextIdCommand.ToString(), -r);
            id = attr.next_id;
            yield return id;
        }
    }

    /// <summary>Opens an object by id with a *_GET_FD_BY_ID command.</summary>
    public static SafeFdHandle OpenById(BpfCommand fdByIdCommand, uint id, string what)
    {
        var attr = new GetIdAttr { start_id = id };
        return CallForFd(fdByIdCommand, ref attr, $"{what} id {id}");
    }

    /// <summary>The fd number of a handle the caller keeps alive for the duration of the call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Fd(SafeFdHandle h) => (uint)h.DangerousGetHandle();
}
