namespace BpfSharp;

/// <summary>Options for <see cref="BpfObject.Open(string, BpfObjectOptions?)"/>.</summary>
public sealed class BpfObjectOptions
{
    /// <summary>The object's name (prefix of its global data maps' names); by default the file name without extensions.</summary>
    public string? Name { get; init; }

    /// <summary>Where maps marked <c>LIBBPF_PIN_BY_NAME</c> are pinned and looked for.</summary>
    public string PinRoot { get; init; } = BpfFs.DefaultRoot;

    /// <summary>The BTF CO-RE relocations, typed ksyms and kfuncs are resolved against; by default the running kernel's (parsed once per process).</summary>
    public Btf.BtfSpec? KernelBtf { get; init; }

    /// <summary>The configuration <c>__kconfig</c> externs are resolved against; by default the running kernel's.</summary>
    public KernelConfig? KernelConfig { get; init; }

    /// <summary>The verifier log level for every program (0: a log only on failure).</summary>
    public uint LogLevel { get; init; }

    /// <summary>Tests: the BTF kinds the kernel is taken to accept instead of what the probes found (the <c>Btf*</c> probes of <see cref="BpfFeatures"/>).</summary>
    internal Btf.BtfKindSupport? BtfKindSupport { get; init; }

    /// <summary>Tests: USDT programs look their spec id up by address (<c>LINUX_HAS_BPF_COOKIE</c> false), as on kernels without BPF cookies.</summary>
    internal bool UsdtWithoutCookies { get; init; }

    /// <summary>Tests: USDT programs attach one uprobe per site, as on kernels without uprobe.multi links.</summary>
    internal bool UsdtWithoutUprobeMulti { get; init; }

    /// <summary>
    /// A delegating BPF filesystem to make a <see cref="BpfToken"/> from (Linux 6.9); every map create, BTF load and
    /// program load of <see cref="BpfObject.Load"/> then carries the token. Null (the default) reads
    /// <see cref="BpfToken.PathVariable"/> from the environment; an empty string means no token even when that is set.
    /// </summary>
    public string? TokenPath { get; init; }
}

/// <summary>How a map of an object is pinned (<c>__uint(pinning, LIBBPF_PIN_BY_NAME)</c>).</summary>
public enum BpfMapPinning
{
    /// <summary>Not pinned.</summary>
    None = 0,
    /// <summary>Pinned at PinRoot/NAME; an existing compatible pin there is reused.</summary>
    ByName = 1,
}
