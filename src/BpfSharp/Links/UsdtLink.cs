using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A program attached to a USDT probe: one object for every site of the probe. Underneath it is one uprobe.multi
/// link per file (where the program was loaded for them) or one uprobe perf link per site, each with the spec id
/// of its site as cookie, and the spec slots (and, without BPF cookies, address entries) it filled in the
/// object's <c>__bpf_usdt_specs</c> maps. Disposing detaches every site and frees the slots for the object's next
/// attachments (unless the link is pinned, which keeps the sites attached); after <see cref="BpfLink.Disconnect"/>
/// the sites stay attached and the slots stay taken. Pinning pins every underlying link under one directory; a
/// pinned link keeps working after the process exits (the program holds its maps).
/// </summary>
public sealed class UsdtLink : BpfLink
{
    private readonly UsdtSpecTable _table;
    private readonly List<BpfLink> _parts = [];
    private readonly List<int> _specIds = [];
    private readonly List<long> _addresses = [];
    private readonly string _what;

    internal UsdtLink(UsdtSpecTable table, string what) : base(BpfLinkKind.Usdt, null)
    {
        _table = table;
        _what = what;
    }

    /// <summary>The underlying links: <see cref="UprobeMultiLink"/>s, or one uprobe link per site.</summary>
    public IReadOnlyList<BpfLink> Links => _parts;

    /// <summary>The spec ids (slots of <c>__bpf_usdt_specs</c>) this attachment filled; sites with equal specs share one.</summary>
    public IReadOnlyList<int> SpecIds => _specIds;

    /// <summary>The number of probe sites attached.</summary>
    public int SiteCount { get; internal set; }

    /// <summary>The probe, <c>provider:name in file</c>.</summary>
    public override string ToString() => $"UsdtLink {_what} ({SiteCount} sites)";

    internal void AddSpec(int id) => _specIds.Add(id);

    internal void AddAddress(long address) => _addresses.Add(address);

    /// <summary>Takes ownership of a part: from now on its lifetime is this link's (its own finalizer stands down).</summary>
    internal void AddPart(BpfLink part)
    {
        GC.SuppressFinalize(part);
        _parts.Add(part);
    }

    private protected override IEnumerable<SafeFdHandle> OwnedHandles() => _parts.SelectMany(p => p.HandlesOwned);

    private protected override void Destroy(bool finalizing)
    {
        // The parts' finalizers were suppressed: this is their only teardown, also when finalizing.
        foreach (var part in _parts) part.Dispose();
        // A pinned link's sites stay attached: their slots must not be handed to the next attachment.
        if (PinPath is not null) return;
        try
        {
            // Only this link's own entries: with them gone, the object's next attachment may take the addresses.
            foreach (long address in _addresses) _table.IpToSpecId.Delete(address);
        }
        catch (Exception e) when (e is BpfException or ObjectDisposedException) { /* the object's maps are already gone */ }
        _table.Release(_specIds);
        _specIds.Clear();
        _addresses.Clear();
    }

    /// <summary>Detaches the sites where their kind can (perf events attached by ioctl); uprobe links cannot be detached while open.</summary>
    public override void Detach()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_parts.Any(p => p.Kind != BpfLinkKind.PerfEventIoctl))
            throw new NotSupportedException($"a USDT link's uprobe links ({_parts[0].Kind}) cannot be detached while their fds are open (the kernel has no BPF_LINK_DETACH for them); dispose it instead");
        foreach (var part in _parts) part.Detach();
    }

    /// <summary>Pins every underlying link in directory <paramref name="path"/>, as <c>link0</c>, <c>link1</c>...</summary>
    private protected override void PinCore(string path)
    {
        try
        {
            for (int i = 0; i < _parts.Count; i++)
                _parts[i].Pin(Path.Combine(path, $"link{i}"));
        }
        catch
        {
            // All or nothing: a part that cannot be pinned (an ioctl attachment) unpins those before it.
            foreach (var part in _parts) part.Unpin();
            throw;
        }
    }

    /// <summary>Removes the pins and the directory (when nothing else is in it).</summary>
    private protected override void UnpinCore(string path)
    {
        foreach (var part in _parts) part.Unpin();
        try { Directory.Delete(path); }
        catch (IOException) { /* not empty: something else is pinned there */ }
    }

    /// <summary>Always throws <see cref="NotSupportedException"/>: a USDT link is one kernel link per probe site; call <c>GetInfo()</c> on each of <see cref="Links"/>.</summary>
    public override BpfLinkInfo GetInfo() =>
        throw new NotSupportedException($"a USDT link is {_parts.Count} kernel links; call GetInfo() on each of Links");

    /// <summary>Always throws <see cref="NotSupportedException"/>: the kernel cannot replace the program of uprobe links.</summary>
    public override void Update(BpfProgram newProgram, BpfProgram? expectedOld = null) =>
        throw new NotSupportedException("the kernel cannot replace the program of uprobe links (BPF_LINK_UPDATE); attach the new program instead");
}
