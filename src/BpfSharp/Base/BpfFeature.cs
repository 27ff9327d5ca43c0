namespace BpfSharp;

/// <summary>
/// Something the running kernel may or may not offer, found out by a probe that runs once (on first use)
/// and is cached for the process. Probes that need privilege can also be asked through a <see cref="BpfToken"/>
/// (<see cref="MissingReasonWith"/>): a process with only a token gets EPERM from the process-wide probe.
/// </summary>
public sealed class BpfFeature
{
    private readonly Lazy<string?> _missingReason;
    // Null for probes whose answer does not depend on privilege: a token then gets the process-wide answer.
    private readonly Func<BpfToken, string?>? _probeWithToken;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<BpfToken, Lazy<string?>> _byToken = new();

    /// <summary>What is probed, e.g. "BPF_LINK_CREATE" or "map type RingBuf".</summary>
    public string Name { get; }

    /// <summary>The first kernel version that has it, for the error message.</summary>
    public string Introduced { get; }

    /// <param name="probe">Returns null when the feature works, or why it does not (e.g. "EINVAL from BPF_MAP_CREATE").</param>
    public BpfFeature(string name, string introduced, Func<string?> probe)
    {
        Name = name;
        Introduced = introduced;
        _missingReason = new Lazy<string?>(probe, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>A probe that makes its system calls with a token when given one, and without one for the process.</summary>
    internal BpfFeature(string name, string introduced, Func<BpfToken?, string?> probe)
        : this(name, introduced, () => probe(null))
    {
        _probeWithToken = probe;
    }

    /// <summary>Whether the running kernel has the feature (runs the probe on first use).</summary>
    public bool IsSupported => _missingReason.Value is null;

    /// <summary>Why the probe found the feature missing; null when it is supported.</summary>
    public string? MissingReason => _missingReason.Value;

    /// <summary>
    /// Why the feature is missing for system calls made with <paramref name="token"/> (the token's BPF filesystem
    /// decides what it delegates), or null when it works with it; probed once per token.
    /// </summary>
    public string? MissingReasonWith(BpfToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_probeWithToken is null)
            return MissingReason;
        return _byToken.GetValue(token, t => new Lazy<string?>(() => _probeWithToken(t), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>Whether the feature works for system calls made with <paramref name="token"/>.</summary>
    public bool IsSupportedWith(BpfToken token) => MissingReasonWith(token) is null;

    /// <summary>Throws <see cref="BpfFeatureNotSupportedException"/> naming the feature when the kernel lacks it.</summary>
    public void ThrowIfUnsupported()
    {
        if (_missingReason.Value is { } why) throw new BpfFeatureNotSupportedException(this, why);
    }

    /// <summary>The feature's name and whether it is supported, with the reason when it is not.</summary>
    public override string ToString() => IsSupported ? $"{Name}: supported" : $"{Name}: not supported ({MissingReason})";
}

/// <summary>The running kernel lacks a feature (named in <see cref="Feature"/>).</summary>
public sealed class BpfFeatureNotSupportedException(BpfFeature feature, string reason)
    // What the probe found, never a version: a kernel newer than the feature's introduction can still lack it (a
    // config option, a distribution's patch).
    : NotSupportedException($"{feature.Name} is not supported by the running kernel (probe: {reason})")
{
    /// <summary>The missing feature's <see cref="BpfFeature.Name"/>.</summary>
    public string Feature { get; } = feature.Name;
    /// <summary>What the probe found (an errno, a refusal), never a kernel version.</summary>
    public string Reason { get; } = reason;
}
