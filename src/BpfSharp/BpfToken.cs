using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>
/// A BPF token (Linux 6.9): the right to use <c>bpf(2)</c> inside a user namespace, delegated by whoever mounted a
/// BPF filesystem for that namespace with <c>delegate_cmds</c>, <c>delegate_maps</c>, <c>delegate_progs</c> and
/// <c>delegate_attachs</c>. A map create, BTF load or program load given the token is checked against those lists and
/// against the capabilities the caller has in the bpffs's user namespace, instead of capabilities in the initial one.
/// Pass it with <see cref="BpfMapCreateOptions.Token"/>, <see cref="BpfProgramLoadOptions.Token"/>, or for a whole
/// object <see cref="BpfObjectOptions.TokenPath"/> (or the <see cref="PathVariable"/> environment variable).
/// </summary>
public sealed class BpfToken : IDisposable
{
    /// <summary>The environment variable an object's loader reads the bpffs path from when its options name none (as libbpf's <c>LIBBPF_BPF_TOKEN_PATH</c>).</summary>
    public const string PathVariable = "BPFSHARP_BPF_TOKEN_PATH";

    /// <summary><c>BPF_F_TOKEN_FD</c>: the same bit in <c>map_flags</c>, <c>prog_flags</c> and <c>btf_flags</c> says the token fd field is set.</summary>
    internal const uint TokenFdFlag = 1u << 16;

    private BpfToken(SafeFdHandle handle, string path)
    {
        Handle = handle;
        BpffsPath = path;
    }

    /// <summary>The token's fd.</summary>
    public SafeFdHandle Handle { get; }

    /// <summary>The BPF filesystem the token was made from.</summary>
    public string BpffsPath { get; }

    /// <summary>
    /// Makes a token from the root of a delegating bpffs. The kernel refuses (EPERM) a bpffs mounted without
    /// delegation or for another user namespace than the caller's, and (EOPNOTSUPP) any token in the initial user
    /// namespace, where capabilities already decide.
    /// </summary>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no BPF tokens.</exception>
    public static BpfToken Create(string bpffsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(bpffsPath);
        BpfFeatures.Tokens.ThrowIfUnsupported();
        int dir = Libc.open(bpffsPath, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (dir < 0) throw new BpfException("open", System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), $"BPF filesystem {bpffsPath} for a token");
        using var bpffs = new SafeFdHandle(dir);
        var attr = new TokenCreateAttr { bpffs_fd = (uint)dir };
        return new BpfToken(Bpf.CallForFd(BpfCommand.BPF_TOKEN_CREATE, ref attr, $"token from {bpffsPath}"), bpffsPath);
    }

    /// <summary>The token an object loader uses: <paramref name="path"/> when given (empty: none), else <see cref="PathVariable"/> when set.</summary>
    internal static BpfToken? ForObject(string? path)
    {
        path ??= Environment.GetEnvironmentVariable(PathVariable);
        return string.IsNullOrEmpty(path) ? null : Create(path);
    }

    /// <summary>Closes the token's fd.</summary>
    public void Dispose() => Handle.Dispose();

    /// <summary>The bpffs the token came from.</summary>
    public override string ToString() => $"BPF token from {BpffsPath}";
}

public static partial class BpfFeatures
{
    /// <summary>BPF_TOKEN_CREATE (Linux 6.9), probed with an invalid fd: EBADF means the kernel knows the command.</summary>
    public static BpfFeature Tokens { get; } = new("BPF tokens (BPF_TOKEN_CREATE)", "6.9", () =>
    {
        var attr = new TokenCreateAttr { bpffs_fd = uint.MaxValue };
        int r = Bpf.TryCall(BpfCommand.BPF_TOKEN_CREATE, ref attr);
        if (r >= 0) Libc.close(r);
        return r == -Errnos.EBADF ? null : $"{Errnos.Name(-r)} from BPF_TOKEN_CREATE";
    });
}
